/// Retention and bounds of a `HistoryStore`.
public struct HistoryStoreConfiguration: Sendable, Hashable, Codable {
    /// Nominal poll interval (sizes the full-resolution rings of slice-class cgroups).
    public var sampleIntervalSeconds: Int
    /// Interval at which pods and containers are re-read (sizes their full-resolution rings);
    /// nil = `sampleIntervalSeconds`.
    public var workloadSampleIntervalSeconds: Int?
    /// Node, kubepods, QoS tiers and slices.
    public var slice: HistoryRetention
    /// Units directly under system.slice and kube.slice (often a hundred on a node).
    public var unit: HistoryRetention
    public var pod: HistoryRetention
    public var container: HistoryRetention
    /// A cgroup not seen for this long is evicted.
    public var evictionGraceSeconds: Int64
    /// Hard cap on tracked cgroups; new cgroups beyond it are refused (counted).
    public var maxTrackedCgroups: Int

    public init(
        sampleIntervalSeconds: Int = 5,
        workloadSampleIntervalSeconds: Int? = nil,
        slice: HistoryRetention = .sliceDefault,
        unit: HistoryRetention = .unitDefault,
        pod: HistoryRetention = .podDefault,
        container: HistoryRetention = .containerDefault,
        evictionGraceSeconds: Int64 = 600,
        maxTrackedCgroups: Int = 20_000
    ) {
        self.sampleIntervalSeconds = max(1, sampleIntervalSeconds)
        self.workloadSampleIntervalSeconds = workloadSampleIntervalSeconds.map { max(1, $0) }
        self.slice = slice
        self.unit = unit
        self.pod = pod
        self.container = container
        self.evictionGraceSeconds = max(0, evictionGraceSeconds)
        self.maxTrackedCgroups = max(1, maxTrackedCgroups)
    }

    /// Seconds between two samples of a cgroup of this class.
    public func sampleInterval(for retentionClass: HistoryRetentionClass) -> Int {
        switch retentionClass {
        case .slice, .unit: return sampleIntervalSeconds
        case .pod, .container: return max(sampleIntervalSeconds, workloadSampleIntervalSeconds ?? sampleIntervalSeconds)
        }
    }

    /// The retention for a class.
    public func retention(for retentionClass: HistoryRetentionClass) -> HistoryRetention {
        switch retentionClass {
        case .slice: return slice
        case .unit: return unit
        case .pod: return pod
        case .container: return container
        }
    }

    /// Upper bound of the store's ring memory: every tracked cgroup at the largest retention, with every
    /// sample as far from the one before it as can be encoded.
    public var memoryBoundBytes: Int {
        let biggest = [HistoryRetentionClass.slice, .unit, .pod, .container].map {
            CgroupHistory(role: .node, retention: retention(for: $0), sampleIntervalSeconds: sampleInterval(for: $0)).worstCaseMemoryBytes
        }.max() ?? 0
        return maxTrackedCgroups * (biggest + HistoryStore.perEntryOverheadBytes + 128)
    }
}

/// Rolling memory history for every tracked cgroup, keyed by cgroup path. A value type with
/// one owner (the node state); memory is bounded by `maxTrackedCgroups` × per-class ring sizes.
public struct HistoryStore: Sendable {
    public let configuration: HistoryStoreConfiguration
    /// Unix second that offsets count from (start of the UTC day the store was created; moved by
    /// `shift(bySeconds:)` when the wall clock is stepped).
    public private(set) var epoch: Int64
    /// Each cgroup's history, which also holds when it was last seen.
    private var histories: [String: CgroupHistory] = [:]
    /// New cgroups refused because `maxTrackedCgroups` was reached.
    public private(set) var refusedCgroups: Int = 0
    /// Samples dropped because they were before the epoch or not readable.
    public private(set) var droppedSamples: Int = 0
    /// Cgroups evicted after the grace period.
    public private(set) var evictedCgroups: Int = 0

    /// Estimated bytes of dictionary bookkeeping per tracked cgroup (its slot, key and a share of empty slots).
    static let perEntryOverheadBytes = MemoryLayout<String>.stride + 48 + MemoryLayout<CgroupHistory>.stride

    /// Creates an empty store; `now` (Unix seconds) sets the epoch to the start of its UTC day.
    public init(configuration: HistoryStoreConfiguration = HistoryStoreConfiguration(), now: Int64) {
        self.configuration = configuration
        epoch = now - ((now % 86_400) + 86_400) % 86_400
    }

    /// Number of cgroups with history.
    public var trackedCount: Int { histories.count }
    /// Paths with history.
    public var trackedPaths: [String] { Array(histories.keys) }
    /// The history of one cgroup.
    public func history(of path: String) -> CgroupHistory? { histories[path] }

    /// The wall clock was stepped by `seconds` (negative: back): every stored time moves with it, so the
    /// samples keep their spacing and order, stay as far in the past as they really are, and the next
    /// sample (taken on the new clock) is not older than the last one. Without this, a clock stepped
    /// back an hour would drop every sample for an hour.
    public mutating func shift(bySeconds seconds: Int64) {
        epoch += seconds
        for index in histories.indices { histories.values[index].lastSeenSeconds += seconds }
    }

    /// Records one sample taken at `time` (Unix seconds). Returns false if the sample was not
    /// stored (unreadable usage, time outside the epoch range, or store full).
    @discardableResult
    public mutating func record(path: String, role: TrackedCgroupRole, sample: MemorySample, at time: Int64) -> Bool {
        if sample.missingFields.contains(.usage) || sample.unreadableFields.contains(.usage) {
            droppedSamples += 1
            return false
        }
        let delta = time - epoch
        guard delta >= 0, delta <= Int64(UInt32.max) else {
            droppedSamples += 1
            return false
        }
        let offset = UInt32(delta)
        let index: Dictionary<String, CgroupHistory>.Index
        if let existing = histories.index(forKey: path) {
            index = existing
        } else {
            guard histories.count < configuration.maxTrackedCgroups else {
                refusedCgroups += 1
                return false
            }
            histories[path] = CgroupHistory(
                role: role, retention: configuration.retention(for: role.retentionClass),
                sampleIntervalSeconds: configuration.sampleInterval(for: role.retentionClass))
            index = histories.index(forKey: path)!
        }
        histories.values[index].append(
            offset: offset, usageBytes: sample.usageBytes, workingSetBytes: sample.workingSetBytes,
            limitBytes: sample.limitBytes)
        histories.values[index].lastSeenSeconds = time
        return true
    }

    /// Records every fresh sample of a poll taken at `time` (a pod not re-read in this poll keeps its
    /// history as it is and is not stale), then evicts stale cgroups.
    public mutating func record(_ report: PollReport, at time: Int64) {
        for entry in report.samples {
            if entry.fresh {
                record(path: entry.cgroup.path, role: entry.cgroup.role, sample: entry.sample, at: time)
            } else if let index = histories.index(forKey: entry.cgroup.path) {
                histories.values[index].lastSeenSeconds = time
            }
        }
        evictStale(now: time)
    }

    /// Removes cgroups not seen for more than the grace period; returns how many.
    @discardableResult
    public mutating func evictStale(now: Int64) -> Int {
        let cutoff = now - configuration.evictionGraceSeconds
        let stale = histories.compactMap { $0.value.lastSeenSeconds < cutoff ? $0.key : nil }
        for path in stale { histories.removeValue(forKey: path) }
        evictedCgroups += stale.count
        return stale.count
    }

    /// History of `cgroup` over the last `window` seconds before `now`. Uses full resolution
    /// when its span covers the window, else the finest tier whose retention covers it, else
    /// the coarsest tier. Returns nil for an unknown cgroup.
    public func query(cgroup: String, window: Int64, now: Int64) -> HistoryQueryResult? {
        guard let history = histories[cgroup] else { return nil }
        let window = max(0, window)
        let cutoff = now - window
        let tierWidths = history.tierBucketSeconds
        var chosenTier: Int?
        if Int64(history.fullResolutionSpanSeconds) < window, !tierWidths.isEmpty {
            let tierSpans = configuration.retention(for: history.role.retentionClass).tiers.map { Int64($0.retentionSeconds) }
            chosenTier = tierSpans.firstIndex { $0 >= window } ?? tierWidths.count - 1
        }
        var points: [HistoryQueryPoint] = []
        if let tier = chosenTier {
            let width = Int64(tierWidths[tier])
            for p in history.downsampledPoints(tier: tier) {
                let ts = epoch + Int64(p.offset)
                guard ts + width > cutoff, ts <= now else { continue }
                let bucketEnd = UInt32(clamping: Int64(p.offset) + width - 1)
                points.append(HistoryQueryPoint(
                    timestamp: ts,
                    usageBytes: HistoryUnits.bytes(p.usageAvg),
                    workingSetBytes: HistoryUnits.bytes(p.workingSetAvg),
                    limitBytes: history.limit(at: bucketEnd),
                    usageMinBytes: HistoryUnits.bytes(p.usageMin),
                    usageMaxBytes: HistoryUnits.bytes(p.usageMax),
                    workingSetMinBytes: HistoryUnits.bytes(p.workingSetMin),
                    workingSetMaxBytes: HistoryUnits.bytes(p.workingSetMax)))
            }
            return HistoryQueryResult(
                cgroup: cgroup, role: history.role, windowSeconds: window, resolutionSeconds: width,
                downsampled: true, points: points)
        }
        points.reserveCapacity(history.full.count)
        for p in history.full {
            let ts = epoch + Int64(p.offset)
            guard ts >= cutoff, ts <= now else { continue }
            points.append(HistoryQueryPoint(
                timestamp: ts, usageBytes: HistoryUnits.bytes(p.usage),
                workingSetBytes: HistoryUnits.bytes(p.workingSet), limitBytes: history.limit(at: p.offset)))
        }
        return HistoryQueryResult(
            cgroup: cgroup, role: history.role, windowSeconds: window,
            resolutionSeconds: Int64(history.sampleIntervalSeconds), downsampled: false, points: points)
    }

    /// Delta-encoded record bytes and points held across every history (the bench reports bytes per point).
    public var encodedFootprint: (bytes: Int, points: Int) {
        histories.values.reduce((0, 0)) { ($0.0 + $1.encodedBytes, $0.1 + $1.storedPoints) }
    }

    /// Approximate bytes held: ring storage of every history plus per-entry bookkeeping and keys.
    public var approximateMemoryBytes: Int {
        var total = 0
        for (path, history) in histories {
            total += history.approximateMemoryBytes + Self.perEntryOverheadBytes
            let keyBytes = path.utf8.count
            if keyBytes > 15 { total += keyBytes + 32 }  // a heap-allocated native string
        }
        return total
    }
}
