import Foundation
import Testing
@testable import OOMWatchCore

@Suite struct RingBufferTests {
    @Test func overwritesOldestWithoutReallocating() {
        var ring = RingBuffer<Int>(capacity: 3)
        let reserved = ring.reservedBytes
        #expect(ring.isEmpty)
        ring.append(1); ring.append(2)
        #expect(Array(ring) == [1, 2])
        #expect(!ring.isFull)
        ring.append(3); ring.append(4); ring.append(5)
        #expect(Array(ring) == [3, 4, 5])
        #expect(ring.isFull)
        #expect(ring.first == 3 && ring.last == 5)
        for value in 6...100 { ring.append(value) }
        #expect(Array(ring) == [98, 99, 100])
        #expect(ring.reservedBytes == reserved)
        ring.removeAll()
        #expect(ring.isEmpty && ring.reservedBytes == reserved)
    }

    @Test func capacityIsAtLeastOne() {
        var ring = RingBuffer<UInt8>(capacity: 0)
        ring.append(1); ring.append(2)
        #expect(ring.capacity == 1 && Array(ring) == [2])
    }

    @Test func aSmallInitialReservationGrowsUpToTheCapacityAndThenWraps() {
        var ring = RingBuffer<Int>(capacity: 8, initialReservation: 1)
        #expect(ring.reservedBytes < 8 * MemoryLayout<Int>.stride)
        for value in 1...5 { ring.append(value) }
        #expect(Array(ring) == [1, 2, 3, 4, 5])
        for value in 6...20 { ring.append(value) }
        #expect(ring.isFull && ring.count == 8)
        #expect(Array(ring) == Array(13...20))
        let grown = ring.reservedBytes
        for value in 21...40 { ring.append(value) }
        #expect(Array(ring) == Array(33...40))
        #expect(ring.reservedBytes == grown)
    }
}

@Suite struct HistoryStoreTests {
    static let MiB: UInt64 = 1 << 20
    /// 2024-01-01T00:00:00Z.
    static let day: Int64 = 1_704_067_200

    static func sample(_ usage: UInt64, _ workingSet: UInt64, limit: UInt64? = nil) -> MemorySample {
        MemorySample(usageBytes: usage, limitBytes: limit, workingSetBytes: workingSet)
    }

    static let smallConfig = HistoryStoreConfiguration(
        sampleIntervalSeconds: 5,
        slice: HistoryRetention(fullResolutionSeconds: 60, tiers: [HistoryTier(bucketSeconds: 60, retentionSeconds: 300)]),
        pod: HistoryRetention(fullResolutionSeconds: 30, tiers: [HistoryTier(bucketSeconds: 60, retentionSeconds: 120)]),
        container: HistoryRetention(fullResolutionSeconds: 10, tiers: []),
        evictionGraceSeconds: 60,
        maxTrackedCgroups: 3)

    @Test func fullResolutionQueryReturnsExactPointsAndLimits() throws {
        var store = HistoryStore(configuration: Self.smallConfig, now: Self.day + 100)
        #expect(store.epoch == Self.day)
        for i in 0..<20 {
            let limit: UInt64? = i < 10 ? 512 * Self.MiB : nil
            store.record(path: "/system.slice", role: .slice, sample: Self.sample(UInt64(i + 1) * Self.MiB, UInt64(i) * Self.MiB, limit: limit), at: Self.day + Int64(i * 5))
        }
        // Ring holds 12 points (60 s / 5 s): samples 8…19.
        let now = Self.day + 95
        let result = try #require(store.query(cgroup: "/system.slice", window: 30, now: now))
        #expect(result.downsampled == false)
        #expect(result.resolutionSeconds == 5)
        #expect(result.role == .slice)
        #expect(result.windowSeconds == 30)
        #expect(result.points.map(\.timestamp) == [65, 70, 75, 80, 85, 90, 95].map { Self.day + $0 })
        #expect(result.points.map(\.usageBytes) == [14, 15, 16, 17, 18, 19, 20].map { $0 * Self.MiB })
        #expect(result.points.map(\.workingSetBytes) == [13, 14, 15, 16, 17, 18, 19].map { $0 * Self.MiB })
        #expect(result.points.allSatisfy { $0.limitBytes == nil && $0.usageMinBytes == nil })
        let older = try #require(store.query(cgroup: "/system.slice", window: 60, now: now))
        #expect(older.points.count == 12)
        #expect(older.points.first?.timestamp == Self.day + 40)
        #expect(older.points.first?.limitBytes == 512 * Self.MiB)   // sample 8 was under the limit
        #expect(older.points[1].limitBytes == 512 * Self.MiB)       // sample 9
        #expect(older.points[2].limitBytes == nil)                  // sample 10: limit removed
        #expect(store.query(cgroup: "/nope", window: 60, now: now) == nil)
    }

    @Test func downsampledTierHasExactMinAvgMax() throws {
        var store = HistoryStore(configuration: Self.smallConfig, now: Self.day)
        // Bucket [0,60): usages 1..12 MiB; bucket [60,120): 100, 200, 600 MiB (partial).
        for i in 0..<12 {
            store.record(path: "/system.slice", role: .slice, sample: Self.sample(UInt64(i + 1) * Self.MiB, UInt64(12 - i) * Self.MiB, limit: 512 * Self.MiB), at: Self.day + Int64(i * 5))
        }
        for (i, u) in [UInt64(100), 200, 600].enumerated() {
            store.record(path: "/system.slice", role: .slice, sample: Self.sample(u * Self.MiB, u * Self.MiB / 2), at: Self.day + 60 + Int64(i * 5))
        }
        let result = try #require(store.query(cgroup: "/system.slice", window: 300, now: Self.day + 75))
        #expect(result.downsampled)
        #expect(result.resolutionSeconds == 60)
        #expect(result.points.count == 2)
        let first = result.points[0]
        #expect(first.timestamp == Self.day)
        #expect(first.usageMinBytes == 1 * Self.MiB)
        #expect(first.usageMaxBytes == 12 * Self.MiB)
        #expect(first.usageBytes == 6 * Self.MiB + 512 * 1024)      // avg 6.5 MiB, exact in 4 KiB units
        #expect(first.workingSetMinBytes == 1 * Self.MiB)
        #expect(first.workingSetMaxBytes == 12 * Self.MiB)
        #expect(first.workingSetBytes == 6 * Self.MiB + 512 * 1024)
        #expect(first.limitBytes == 512 * Self.MiB)
        let second = result.points[1]
        #expect(second.timestamp == Self.day + 60)
        #expect(second.usageMinBytes == 100 * Self.MiB)
        #expect(second.usageMaxBytes == 600 * Self.MiB)
        #expect(second.usageBytes == 300 * Self.MiB)
        #expect(second.workingSetMinBytes == 50 * Self.MiB)
        #expect(second.workingSetMaxBytes == 300 * Self.MiB)
        #expect(second.workingSetBytes == 150 * Self.MiB)
        #expect(second.limitBytes == nil)
        // JSON shape for the HTTP route.
        let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(json.contains("\"downsampled\":true"))
        #expect(json.contains("\"usageMinBytes\":1048576"))
    }

    @Test func aggregateRingIsBoundedAndDropsOldestBuckets() throws {
        var store = HistoryStore(configuration: Self.smallConfig, now: Self.day)
        // 10 minutes of samples; the slice tier keeps 5 closed buckets (300 s / 60 s) + the open one.
        for i in 0..<120 {
            store.record(path: "/system.slice", role: .slice, sample: Self.sample(UInt64(i / 12 + 1) * Self.MiB, 0), at: Self.day + Int64(i * 5))
        }
        let history = try #require(store.history(of: "/system.slice"))
        let points = history.downsampledPoints(tier: 0)
        #expect(points.map(\.offset) == [240, 300, 360, 420, 480, 540])
        #expect(points.map { HistoryUnits.bytes($0.usageAvg) } == [5, 6, 7, 8, 9, 10].map { UInt64($0) * Self.MiB })
        #expect(history.full.count == 12)
        let result = try #require(store.query(cgroup: "/system.slice", window: 3600, now: Self.day + 600))
        #expect(result.points.count == 6)   // coarsest tier when no tier covers the window
    }

    @Test func retentionDependsOnRoleAndEvictionAndCapWork() throws {
        var store = HistoryStore(configuration: Self.smallConfig, now: Self.day)
        store.record(path: "/kubepods/pod1", role: .pod, sample: Self.sample(Self.MiB, 0), at: Self.day)
        store.record(path: "/kubepods/pod1/c", role: .container, sample: Self.sample(Self.MiB, 0), at: Self.day)
        store.record(path: "/system.slice", role: .slice, sample: Self.sample(Self.MiB, 0), at: Self.day)
        #expect(store.history(of: "/kubepods/pod1")?.full.capacity == 6)
        #expect(store.history(of: "/kubepods/pod1")?.tierBucketSeconds == [60])
        #expect(store.history(of: "/kubepods/pod1/c")?.full.capacity == 2)
        #expect(store.history(of: "/kubepods/pod1/c")?.tierBucketSeconds == [])
        #expect(store.history(of: "/system.slice")?.full.capacity == 12)
        // Cap of 3 cgroups: a fourth is refused and counted.
        let refused = store.record(path: "/user.slice", role: .slice, sample: Self.sample(1, 0), at: Self.day)
        #expect(refused == false)
        #expect(store.refusedCgroups == 1)
        #expect(store.trackedCount == 3)
        // Only the slice keeps being seen; after the 60 s grace the pod and container go.
        for t in stride(from: 5, through: 65, by: 5) {
            store.record(path: "/system.slice", role: .slice, sample: Self.sample(Self.MiB, 0), at: Self.day + Int64(t))
        }
        let notYet = store.evictStale(now: Self.day + 60)
        #expect(notYet == 0)
        let evicted = store.evictStale(now: Self.day + 61)
        #expect(evicted == 2)
        #expect(store.trackedPaths == ["/system.slice"])
        #expect(store.evictedCgroups == 2)
        let admitted = store.record(path: "/user.slice", role: .slice, sample: Self.sample(1, 0), at: Self.day + 61)
        #expect(admitted)
    }

    @Test func recordsPollReportsAndRejectsBadSamples() throws {
        var store = HistoryStore(configuration: Self.smallConfig, now: Self.day)
        let report = PollReport(
            samples: [
                SampledCgroup(cgroup: TrackedCgroup(path: "/", role: .node), sample: Self.sample(8 * Self.MiB, 4 * Self.MiB)),
                SampledCgroup(cgroup: TrackedCgroup(path: "/kube.slice", role: .slice),
                              sample: MemorySample(usageBytes: 0, workingSetBytes: 0, unreadableFields: [.usage])),
            ],
            node: nil, vanishedCgroups: 0, unreadableFiles: 1, malformedFiles: 0, warnings: [], durationNanos: 1)
        store.record(report, at: Self.day + 10)
        #expect(store.trackedPaths == ["/"])
        #expect(store.droppedSamples == 1)
        let beforeEpoch = store.record(path: "/", role: .node, sample: Self.sample(1, 1), at: Self.day - 1)
        #expect(beforeEpoch == false)
        #expect(store.droppedSamples == 2)
        // Time going backwards is dropped by the history itself.
        store.record(path: "/", role: .node, sample: Self.sample(Self.MiB, 0), at: Self.day + 5)
        #expect(store.history(of: "/")?.outOfOrderDropped == 1)
        #expect(store.history(of: "/")?.full.count == 1)
    }

    @Test func aClockSteppedBackShiftsTheHistoryInsteadOfDroppingSamples() throws {
        var store = HistoryStore(configuration: Self.smallConfig, now: Self.day + 100)
        let start = Self.day + 4000
        for t in Int64(0)..<10 {
            store.record(path: "/", role: .node, sample: Self.sample(UInt64(t + 1) * Self.MiB, 0), at: start + t * 5)
        }
        // NTP steps the clock back an hour: the next sample's time is an hour before the last one's.
        store.shift(bySeconds: -3600)
        let next = start + 50 - 3600
        let stored = store.record(path: "/", role: .node, sample: Self.sample(11 * Self.MiB, 0), at: next)
        #expect(stored)
        let history = try #require(store.history(of: "/"))
        #expect(history.outOfOrderDropped == 0)
        #expect(history.full.count == 11)
        let points = try #require(store.query(cgroup: "/", window: 55, now: next)).points
        #expect(points.count == 11)
        #expect(points.map(\.timestamp) == (0...10).map { next - 50 + Int64($0) * 5 }, "same spacing, ending now on the new clock")
        #expect(points.map(\.usageBytes) == (1...11).map { UInt64($0) * Self.MiB })
        // Stepped forward again: still continuous, nothing dropped.
        store.shift(bySeconds: 3600)
        // Last seen moved with the clock too: an hour forward does not make the cgroup look gone.
        #expect(store.evictStale(now: start + 55) == 0)
        let later = start + 55
        let storedLater = store.record(path: "/", role: .node, sample: Self.sample(12 * Self.MiB, 0), at: later)
        #expect(storedLater)
        #expect(store.history(of: "/")?.outOfOrderDropped == 0)
        #expect(store.query(cgroup: "/", window: 55, now: later)?.points.last?.timestamp == later)
    }

    @Test func wallClockStepsAreToldFromSlewAndSuspend() {
        var watch = WallClockWatch()
        // (wall, continuous) readings 5 s apart on the continuous clock, and the step each should report.
        let readings: [(wall: Double, continuous: Double, step: Double?, why: String)] = [
            (1_000, 50, nil, "first reading"),
            (1_005.001, 55, nil, "slew: 1 ms in 5 s"),
            (1_010, 60, nil, "steady"),
            (1_015 - 3600, 65, -3600, "stepped back an hour"),
            (1_020 - 3600, 70, nil, "steady again on the new clock"),
            (1_025 - 3570, 75, 30, "stepped forward 30 s"),
            (1_030 - 3570 + 7200, 80 + 7200, nil, "suspended 2 h: both clocks advance (the continuous one counts suspend)"),
        ]
        for reading in readings {
            let step = watch.observe(wallSeconds: reading.wall, continuousSeconds: reading.continuous)
            #expect(step.map { ($0 * 1000).rounded() / 1000 } == reading.step, "\(reading.why)")
        }
    }

    @Test func unitsSaturateAndRoundDown() {
        #expect(HistoryUnits.units(4095) == 0)
        #expect(HistoryUnits.units(8192) == 2)
        #expect(HistoryUnits.units(UInt64.max) == UInt32.max)
        #expect(HistoryUnits.bytes(2) == 8192)
        #expect(MemoryLayout<FullResolutionPoint>.stride == 12)
        #expect(MemoryLayout<DownsampledPoint>.stride == 28)
    }

    @Test func memoryEstimateMatchesDefaultRetention() {
        // The daemon's defaults: polls every 5 s, pods re-read every 15 s.
        var store = HistoryStore(configuration: HistoryStoreConfiguration(sampleIntervalSeconds: 5, workloadSampleIntervalSeconds: 15), now: Self.day)
        store.record(path: "/kubepods/burstable/pod1", role: .pod, sample: Self.sample(1, 1), at: Self.day)
        let history = store.history(of: "/kubepods/burstable/pod1")
        // 30 min at 15 s = 120 points, 119 of them delta-encoded in 5 B plus room for one record of the
        // largest size (15 B); 96 buckets (24 h of 15 min), 95 encoded in 15 B plus 35 B; room for one limit
        // change of 16 B (the log grows to 8 only when the limit moves). Whole, that was 120 × 12 + 96 × 28 B.
        #expect(history?.full.capacity == 120)
        #expect(history?.tierBucketSeconds == [900])
        let rings = 119 * 5 + 15 + 95 * 15 + 35 + 16
        #expect(store.approximateMemoryBytes >= rings)
        #expect(store.approximateMemoryBytes < rings + 1024)
        #expect(store.approximateMemoryBytes < (120 * 12 + 96 * 28) * 7 / 10, "under 70 % of the whole points, overheads included")
        // The bound assumes every difference at its largest: 15 B a point, 35 B a bucket, and the full limit log.
        #expect(store.configuration.memoryBoundBytes >= 20_000 * (119 * 15 + 95 * 35 + 8 * 16))
    }

    @Test func theLimitLogGrowsWithChangesAndKeepsTheLastEight() {
        var history = CgroupHistory(role: .pod, retention: .podDefault, sampleIntervalSeconds: 15)
        let oneLimit = history.approximateMemoryBytes
        for i in 0..<12 {
            history.append(offset: UInt32(i * 15), usageBytes: 1 << 20, workingSetBytes: 1 << 20, limitBytes: UInt64(i + 1) << 20)
        }
        #expect(history.limits.count == CgroupHistory.limitLogCapacity)
        #expect(history.limits.first?.limit == 5 << 20 && history.limits.last?.limit == 12 << 20)
        #expect(history.limit(at: 11 * 15) == 12 << 20)
        #expect(history.limit(at: 6 * 15) == 7 << 20)
        #expect(history.approximateMemoryBytes > oneLimit)
    }

    @Test func podsNotReReadInAPollKeepTheirHistoryAndAreNotEvicted() {
        // A grace shorter than the 15 s between the pod's reads: without the not-fresh polls counting as seen,
        // the pod would be evicted (and its history restarted) between two reads.
        var configuration = HistoryStoreConfiguration(sampleIntervalSeconds: 5, workloadSampleIntervalSeconds: 15, evictionGraceSeconds: 7)
        configuration.pod = .podDefault
        var store = HistoryStore(configuration: configuration, now: 0)
        let pod = TrackedCgroup(path: "/kubepods/podx", role: .pod)
        let slice = TrackedCgroup(path: "/system.slice", role: .slice)
        for i in 0..<100 {
            let t = Int64(i * 5)
            let fresh = i % 3 == 0
            store.record(PollReport(
                samples: [SampledCgroup(cgroup: pod, sample: Self.sample(UInt64(i) * Self.MiB, 0), fresh: fresh),
                          SampledCgroup(cgroup: slice, sample: Self.sample(UInt64(i) * Self.MiB, 0))],
                node: nil, vanishedCgroups: 0, unreadableFiles: 0, malformedFiles: 0, warnings: [], durationNanos: 0), at: t)
        }
        #expect(store.history(of: "/kubepods/podx")?.full.count == 34, "only the polls that re-read the pod")
        #expect(store.history(of: "/system.slice")?.full.count == 100)
        // Sized by the pod refresh interval: 30 min of 15 s samples.
        #expect(store.history(of: "/kubepods/podx")?.full.capacity == 1800 / 15)
        #expect(store.history(of: "/kubepods/podx")?.sampleIntervalSeconds == 15)
        #expect(store.evictedCgroups == 0)
    }
}
