import Foundation
import Testing
import OOMWatchCore
@testable import OOMWatchAdapters

/// Pods and their containers re-read every few polls (`--pod-poll-interval`), everything else every poll.
@Suite struct WorkloadRefreshTests {
    typealias X = FixtureExpectations

    static func isWorkload(_ cgroup: TrackedCgroup) -> Bool { cgroup.role == .pod || cgroup.role == .container }

    @Test func podsAreReReadOnTheirSlotEveryThirdPollAndReportedFromTheLastReadBetween() throws {
        let root = try X.copyTree("v2-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc", workloadRefresh: WorkloadRefreshSchedule(everyPolls: 3)))
        let first = sampler.poll(now: 0)
        #expect(first.samples.allSatisfy { $0.fresh }, "a pod never seen is read at once")
        let everyPath = first.samples.map(\.cgroup.path)
        #expect(everyPath.count == X.entries(.cgroupfs).count + 1)

        var freshReads: [String: Int] = [:]
        for _ in 0..<3 {
            let report = sampler.poll(now: 0)
            #expect(report.samples.map(\.cgroup.path) == everyPath, "every cgroup is reported in every poll, in walk order")
            for sampled in report.samples {
                if sampled.fresh { freshReads[sampled.cgroup.path, default: 0] += 1 }
                if !Self.isWorkload(sampled.cgroup) { #expect(sampled.fresh, "\(sampled.cgroup.path) is read every poll") }
                if !sampled.fresh { #expect(sampled.sample == first.sample(at: sampled.cgroup.path)?.sample) }
            }
            // A pod and its containers are read together.
            for sampled in report.samples where sampled.cgroup.role == .container {
                let pod = String(sampled.cgroup.path[..<sampled.cgroup.path.lastIndex(of: "/")!])
                #expect(report.sample(at: pod)?.fresh == sampled.fresh)
            }
        }
        for sampled in first.samples {
            #expect(freshReads[sampled.cgroup.path] == (Self.isWorkload(sampled.cgroup) ? 1 : 3), "\(sampled.cgroup.path)")
        }
    }

    @Test func aChangedPodShowsWhenDueAGonePodAtOnceANewPodAtOnce() throws {
        let root = try X.copyTree("v2-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let schedule = WorkloadRefreshSchedule(everyPolls: 4)
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc", workloadRefresh: schedule))
        _ = sampler.poll(now: 0)
        let burstable = "/kubepods/burstable/pod\(X.uidB)"
        try "123456789\n".write(toFile: root + burstable + "/memory.current", atomically: true, encoding: .utf8)
        var seenAfter = 0
        for poll in 1...4 {
            let report = sampler.poll(now: 0)
            if report.sample(at: burstable)?.sample.usageBytes == 123_456_789 { seenAfter = poll; break }
        }
        #expect((1...4).contains(seenAfter), "the new usage is read within one refresh period")

        let guaranteed = "/kubepods/pod\(X.uidG)"
        try FileManager.default.removeItem(atPath: root + guaranteed)
        let afterRemoval = sampler.poll(now: 0)
        #expect(!afterRemoval.samples.contains { $0.cgroup.path.hasPrefix(guaranteed) }, "a gone pod is dropped even when not due")

        let newPod = "/kubepods/burstable/pod0a0b0c0d-1111-4222-8333-944455556666"
        try FileManager.default.copyItem(atPath: root + burstable, toPath: root + newPod)
        let afterAdd = sampler.poll(now: 0)
        let added = afterAdd.samples.filter { $0.cgroup.path.hasPrefix(newPod) }
        #expect(added.count >= 2, "the new pod and its containers")
        #expect(added.allSatisfy { $0.fresh })
    }

    /// The pod directory is listed only when its link count says its subdirectories changed, or a container
    /// it had vanished: containers added, removed and replaced (a restart: same count) all show at the next read.
    @Test func containersAddedRemovedAndReplacedShowAtTheNextReadOfThePod() throws {
        let root = try X.copyTree("v2-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc", workloadRefresh: .everyPoll))
        let pod = "/kubepods/burstable/pod\(X.uidB)"
        func containers() -> Set<String> {
            Set(sampler.poll(now: 0).samples.filter { $0.cgroup.role == .container && $0.cgroup.path.hasPrefix(pod + "/") }
                .map { String($0.cgroup.path.dropFirst(pod.count + 1)) })
        }
        let original = containers()
        #expect(original == [X.pause, X.c2, X.c3])
        #expect(containers() == original, "unchanged: the last list stands")

        let added = String(repeating: "ab", count: 32)
        try FileManager.default.copyItem(atPath: root + pod + "/" + X.c3, toPath: root + pod + "/" + added)
        #expect(containers() == original.union([added]), "added")

        try FileManager.default.removeItem(atPath: root + pod + "/" + X.c2)
        #expect(containers() == original.union([added]).subtracting([X.c2]), "removed")

        // A restart: one container's cgroup goes and another comes, the count stays.
        let restarted = String(repeating: "cd", count: 32)
        try FileManager.default.moveItem(atPath: root + pod + "/" + X.c3, toPath: root + pod + "/" + restarted)
        let afterRestart = containers()
        #expect(afterRestart == [X.pause, added, restarted], "replaced")
        #expect(containers() == afterRestart)
    }

    @Test func v1LimitAndKernelCounterFilesAreReadEveryFourthReadAndCarriedBetween() throws {
        let root = try X.copyTree("hybrid-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc", workloadRefresh: .everyPoll))
        let pod = "/kubepods/besteffort/poda0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
        let slice = "/system.slice"
        let first = try #require(sampler.poll(now: 0).sample(at: pod)?.sample)
        let firstSlice = try #require(sampler.poll(now: 0).sample(at: slice)?.sample)
        for (cgroup, file, value) in [(pod, "memory.failcnt", "777"), (slice, "memory.failcnt", "888"), (pod, "memory.usage_in_bytes", "4242")] {
            try "\(value)\n".write(toFile: root + "/memory" + cgroup + "/" + file, atomically: true, encoding: .utf8)
        }
        var oomControl = try String(contentsOfFile: root + "/memory" + pod + "/memory.oom_control", encoding: .utf8)
        oomControl = oomControl.split(separator: "\n").map { $0.hasPrefix("oom_kill ") ? "oom_kill 99" : String($0) }.joined(separator: "\n") + "\n"
        try oomControl.write(toFile: root + "/memory" + pod + "/memory.oom_control", atomically: true, encoding: .utf8)
        // The pod's read 1 was the first poll, read 2 the second (which also read the slice).
        for read in 3...5 {
            let report = sampler.poll(now: 0)
            let sample = try #require(report.sample(at: pod)?.sample)
            #expect(sample.usageBytes == 4242, "usage is read every time (read \(read))")
            #expect(sample.failcnt == (read < 4 ? first.failcnt : 777), "read \(read) (files are read at reads 1, 4, 8, …)")
            #expect(sample.oomKillEvents == (read < 4 ? first.oomKillEvents : 99), "read \(read)")
            #expect(sample.unreadableFields.isEmpty && sample.missingFields == first.missingFields)
            #expect(report.sample(at: slice)?.sample.failcnt == 888, "slices read every file every poll")
        }
        #expect(first.failcnt != 777 && first.oomKillEvents != 99 && firstSlice.failcnt != 888)
    }

    @Test func limitFilesAreReadEveryFourthReadOfAPodAndCarriedBetween() throws {
        let root = try X.copyTree("v2-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc", workloadRefresh: .everyPoll))
        let pod = "/kubepods/burstable/pod\(X.uidB)"
        let first = try #require(sampler.poll(now: 0).sample(at: pod)?.sample)   // read 1: every file
        try "268435456\n".write(toFile: root + pod + "/memory.max", atomically: true, encoding: .utf8)
        try "4242\n".write(toFile: root + pod + "/memory.current", atomically: true, encoding: .utf8)
        try "low 0\nhigh 6\nmax 12\noom 18\noom_kill 7\noom_group_kill 0\n".write(toFile: root + pod + "/memory.events", atomically: true, encoding: .utf8)
        #expect(CgroupSampler.slowFilesEvery == 4)
        for read in 2...4 {
            let sample = try #require(sampler.poll(now: 0).sample(at: pod)?.sample)
            #expect(sample.usageBytes == 4242, "usage is read every time (read \(read))")
            #expect(sample.limitBytes == (read < 4 ? first.limitBytes : 268_435_456), "read \(read)")
            #expect(sample.oomKillEvents == (read < 4 ? first.oomKillEvents : 7), "memory.events with the limits (read \(read))")
            #expect(sample.unreadableFields.isEmpty && sample.missingFields == first.missingFields)
        }
        #expect(first.limitBytes != 268_435_456 && first.oomKillEvents != 7)
    }
}
