import Foundation
import Testing
import OOMWatchCore
import OOMWatchTestSupport
@testable import OOMWatchAdapters

/// Real cgroup v1 memory accounting on this machine: a throwaway hierarchy mirroring a node,
/// filled by a real allocator, read back through the sampler with a hierarchy prefix.
@Suite(.serialized, .enabled(if: ScratchCgroup.isAvailable(), "needs root and a writable cgroup v1 memory hierarchy at /sys/fs/cgroup/memory"))
struct RealCgroupV1Tests {
    static let MiB: UInt64 = 1 << 20
    static let podUID = "5f0c9a4e-1b2d-4c3e-8f7a-6b5c4d3e2f1a"
    static let containerID = "d3adb33fd3adb33fd3adb33fd3adb33fd3adb33fd3adb33fd3adb33fd3adb33f"

    @Test func mirroredNodeIsReadBackWithRealUsageLimitAndWorkingSet() async throws {
        let scratch = try ScratchCgroup(label: "sampler")
        var processes: [AllocatorProcess] = []
        defer {
            for process in processes { process.kill() }   // waits for exit before rmdir
            do { try scratch.cleanup() } catch { Issue.record("cleanup failed: \(error)") }
            #expect(access(scratch.path, F_OK) != 0, "scratch cgroup removed")
        }
        let container = "kubepods/burstable/pod\(Self.podUID)/\(Self.containerID)"
        let service = "system.slice/x.service"
        try scratch.create(container)
        try scratch.create(service)
        try scratch.setLimit("system.slice", bytes: 512 * Self.MiB)

        let allocator = try await TestAllocator.make()
        processes.append(try await allocator.spawn(megabytes: 64, cgroupProcsFile: scratch.procsFile(container)))
        processes.append(try await allocator.spawn(megabytes: 96, cgroupProcsFile: scratch.procsFile(service)))

        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: "/sys/fs/cgroup", hierarchyPrefix: scratch.hierarchyPrefix))
        #expect(sampler.layout.kind == .hybrid)   // this VM: v1 memory + cgroup2 at /sys/fs/cgroup/unified
        #expect(sampler.detectDriver() == .cgroupfs)
        // memory.usage_in_bytes is exact at once, but the kernel flushes memory.stat's per-CPU counters
        // lazily (rstat, about every 2 s on 6.x): wait until the stats show the allocations.
        var report = sampler.poll()
        let settled = ContinuousClock.now + .seconds(6)
        while ContinuousClock.now < settled {
            let rss = ["/" + container, "/" + service, "/system.slice", "/kubepods/burstable/pod\(Self.podUID)"]
                .compactMap { report.sample(at: $0)?.sample.rssBytes }
            if rss.count == 4, rss[0] >= 63 * Self.MiB, rss[1] >= 95 * Self.MiB, rss[2] >= 95 * Self.MiB, rss[3] >= 63 * Self.MiB { break }
            try await Task.sleep(for: .milliseconds(250))
            report = sampler.poll()
        }
        #expect(report.vanishedCgroups == 0)
        #expect(report.unreadableFiles == 0)
        #expect(report.malformedFiles == 0)
        #expect(report.warnings.isEmpty)
        #expect(report.node.map { $0.memTotalBytes > 0 } == true)
        let expectedCgroups: [(String, TrackedCgroupRole)] = [
            ("/", .node), ("/kubepods", .kubepods), ("/kubepods/burstable", .qosTier),
            ("/kubepods/burstable/pod\(Self.podUID)", .pod), ("/" + container, .container),
            ("/system.slice", .slice), ("/" + service, .unit),
        ]
        #expect(report.samples.map(\.cgroup) == expectedCgroups.map { TrackedCgroup(path: $0.0, role: $0.1) })

        let c = try #require(report.sample(at: "/" + container)?.sample)
        let s = try #require(report.sample(at: "/" + service)?.sample)
        let slice = try #require(report.sample(at: "/system.slice")?.sample)
        let pod = try #require(report.sample(at: "/kubepods/burstable/pod\(Self.podUID)")?.sample)
        let root = try #require(report.sample(at: "/")?.sample)

        // Usage ≈ allocated: the touched heap plus a few MiB of binary, libc and page tables.
        for (name, sample, mib) in [("container", c, UInt64(64)), ("service", s, 96), ("system.slice", slice, 96), ("pod", pod, 64)] {
            #expect(sample.usageBytes >= mib * Self.MiB, "\(name) usage \(sample.usageBytes)")
            #expect(sample.usageBytes <= (mib + 8) * Self.MiB, "\(name) usage \(sample.usageBytes)")
            #expect(sample.rssBytes >= (mib - 1) * Self.MiB && sample.rssBytes <= sample.usageBytes, "\(name) rss \(sample.rssBytes)")
            #expect(sample.cacheBytes <= 8 * Self.MiB, "\(name) cache \(sample.cacheBytes)")
            #expect(sample.workingSetBytes <= sample.usageBytes, "\(name) working set")
            #expect(sample.workingSetBytes >= mib * Self.MiB - Self.MiB, "\(name) working set \(sample.workingSetBytes)")
            #expect(sample.failcnt == 0)
            #expect(sample.underOOM == false)
            #expect(sample.oomKillEvents == 0)
            #expect(sample.oomEvents == nil && sample.oomGroupKillEvents == nil && sample.highBytes == nil)
            #expect(sample.unreadableFields.isEmpty)
            // No unified mirror for a cgroup we created only in v1: PSI is reported missing.
            #expect(sample.pressure == nil && sample.missingFields.contains(.pressure))
            if let memsw = sample.memswUsageBytes { #expect(memsw >= sample.usageBytes) }
        }
        #expect(slice.limitBytes == 512 * Self.MiB)
        print("real v1: container usage=\(c.usageBytes) rss=\(c.rssBytes) ws=\(c.workingSetBytes); service usage=\(s.usageBytes) ws=\(s.workingSetBytes); system.slice usage=\(slice.usageBytes) limit=\(slice.limitBytes.map(String.init) ?? "none"); poll \(report.durationNanos) ns")
        #expect(c.limitBytes == nil && s.limitBytes == nil && pod.limitBytes == nil && root.limitBytes == nil)
        #expect(root.usageBytes >= c.usageBytes + s.usageBytes)
        #expect(root.usageBytes <= c.usageBytes + s.usageBytes + 8 * Self.MiB)

        // Freeing the memory shows up in the next poll.
        processes.removeFirst().kill()
        let after = sampler.poll()
        let podAfter = try #require(after.sample(at: "/kubepods/burstable/pod\(Self.podUID)")?.sample)
        #expect(podAfter.usageBytes < 4 * Self.MiB, "pod usage after kill \(podAfter.usageBytes)")

        // And the history store keeps what was sampled.
        var store = HistoryStore(now: 1_704_067_200)
        store.record(report, at: 1_704_067_205)
        store.record(after, at: 1_704_067_210)
        let history = try #require(store.query(cgroup: "/system.slice", window: 3600, now: 1_704_067_210))
        #expect(history.points.count == 2)
        #expect(history.points.allSatisfy { $0.limitBytes == 512 * Self.MiB })
        #expect(history.points[0].usageBytes == slice.usageBytes)
    }

    @Test func cgroupRemovedBetweenListingAndReadingIsVanished() throws {
        let scratch = try ScratchCgroup(label: "vanish")
        defer { do { try scratch.cleanup() } catch { Issue.record("cleanup failed: \(error)") } }
        try scratch.create("system.slice/gone.service")
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(hierarchyPrefix: scratch.hierarchyPrefix))
        let listed = sampler.walker.walk()
        #expect(listed.map(\.path) == ["/", "/system.slice", "/system.slice/gone.service"])
        #expect(rmdir(scratch.absolute("system.slice/gone.service")) == 0)
        #expect(sampler.sample(listed[2]) == .vanished)
        guard case .sampled(let slice) = sampler.sample(listed[1]) else {
            Issue.record("system.slice should still be sampled")
            return
        }
        #expect(slice.limitBytes == nil)
        #expect(slice.usageBytes < Self.MiB)   // empty: only kernel objects left by the removed child
    }
}
