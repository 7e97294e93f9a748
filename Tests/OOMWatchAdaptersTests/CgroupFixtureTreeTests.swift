import Foundation
import Testing
import OOMWatchCore
@testable import OOMWatchAdapters

/// v2 and hybrid fixture trees (realistic file contents, both drivers).
@Suite struct CgroupFixtureTreeTests {
    typealias X = FixtureExpectations

    @Test(arguments: [(CgroupHierarchyKind.v2, CgroupDriver.cgroupfs), (.v2, .systemd), (.hybrid, .cgroupfs), (.hybrid, .systemd)])
    func samplesEveryTrackedCgroup(kind: CgroupHierarchyKind, driver: CgroupDriver) throws {
        let fixtures = try X.fixturesDirectory()
        let root = fixtures + "/trees/\(kind.rawValue)-\(driver.rawValue)"
        let layout = try CgroupLayoutDetector.detect(root: root)
        #expect(layout == CgroupLayout.conventional(kind, root: root))
        #expect(CgroupLayoutDetector.detectDriver(layout: layout) == driver)

        // The v1 fixtures carry memory.memsw.*, read only when the node has swap (proc-swap/meminfo).
        let procRoot = fixtures + (kind == .hybrid ? "/proc-swap" : "/proc")
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(cgroupRoot: root, procRoot: procRoot))
        #expect(sampler.detectDriver() == driver)
        let entries = X.entries(driver)
        let walked = sampler.walker.walk()
        // Same set, with parents listed before their children (directory entries are sorted by name).
        #expect(walked.map { "\($0.path) \($0.role)" }.sorted() == (["/ node"] + entries.map { "\($0.path) \($0.role)" }).sorted())
        #expect(walked.count == entries.count + 1)
        for (index, cgroup) in walked.enumerated() where cgroup.path != "/" {
            let parent = String(cgroup.path[..<(cgroup.path.lastIndex(of: "/") ?? cgroup.path.startIndex)])
            if !parent.isEmpty { #expect(walked[..<index].contains { $0.path == parent }, "\(cgroup.path) before its parent") }
        }

        let report = sampler.poll(now: 1000)
        #expect(report.samples.count == entries.count + 1)
        #expect(report.vanishedCgroups == 0)
        #expect(report.unreadableFiles == 0)
        #expect(report.malformedFiles == 0)
        #expect(report.warnings.isEmpty)
        #expect(report.durationNanos > 0)
        #expect(report.node?.memTotalBytes == 24_684_096 * 1024)

        for entry in entries {
            let expected: MemorySample
            if kind == .v2 {
                expected = X.v2Sample(entry)
            } else {
                let mirrored = driver == .systemd || !entry.path.hasPrefix("/kubepods")
                expected = X.v1Sample(k: entry.k, limit: entry.limit, pressure: mirrored ? X.pressure(entry.k) : nil)
            }
            X.expectEqual(report.sample(at: entry.path)?.sample, expected, "\(kind) \(driver) \(entry.path)")
        }

        let node = report.sample(at: "/")?.sample
        if kind == .v2 {
            // v2 root: from /proc/meminfo like kubelet (no memory.current on the root).
            let usage: UInt64 = (24_684_096 - 23_334_200) * 1024
            X.expectEqual(node, MemorySample(
                usageBytes: usage, limitBytes: nil, workingSetBytes: usage - 446_776 * 1024, rssBytes: 50_608 * 1024,
                cacheBytes: (7688 + 1_114_100) * 1024, swapBytes: 0, pressure: X.pressure(42)), "v2 node")
        } else {
            X.expectEqual(node, X.v1Sample(k: 40, limit: nil, pressure: X.pressure(42)), "hybrid node")
        }
    }

    @Test func v1OnlyLayoutWithoutUnifiedHasNoPressure() throws {
        let root = try X.copyTree("hybrid-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.removeItem(atPath: root + "/unified")
        let layout = try CgroupLayoutDetector.detect(root: root)
        #expect(layout.kind == .v1)
        #expect(layout.unifiedRoot == nil)
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc-swap"))
        let report = sampler.poll(now: 0)
        let entry = X.entries(.cgroupfs)[11]   // /system.slice
        #expect(entry.path == "/system.slice")
        X.expectEqual(report.sample(at: "/system.slice")?.sample, X.v1Sample(k: 12, limit: 512 * X.MiB, pressure: nil), "v1 system.slice")
    }

    @Test func withoutSwapOnTheNodeMemswFilesAreNotRead() throws {
        let fixtures = try X.fixturesDirectory()
        let root = fixtures + "/trees/hybrid-cgroupfs"
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(cgroupRoot: root, procRoot: fixtures + "/proc"))
        let report = sampler.poll(now: 0)
        #expect(report.node?.swapTotalBytes == 0)
        #expect(report.samples.count == X.entries(.cgroupfs).count + 1)
        for sampled in report.samples {
            // The files exist in the tree; without swap they equal memory.usage/limit and are skipped.
            #expect(FileManager.default.fileExists(atPath: root + "/memory" + sampled.cgroup.path + "/memory.memsw.usage_in_bytes"))
            #expect(sampled.sample.memswUsageBytes == nil && sampled.sample.memswLimitBytes == nil, "\(sampled.cgroup.path)")
            #expect(sampled.sample.unreadableFields.isEmpty)
            #expect(sampled.sample.failcnt != nil, "the other v1 files are still read")
        }
        let withSwap = try CgroupSampler(configuration: CgroupSamplerConfiguration(cgroupRoot: root, procRoot: fixtures + "/proc-swap"))
        #expect(withSwap.poll(now: 0).samples.allSatisfy { $0.sample.memswUsageBytes != nil })
    }

    @Test func missingHierarchyIsATypedError() {
        #expect(throws: CgroupLayoutError.noMemoryHierarchy(root: "/nonexistent-oomwatch")) {
            try CgroupLayoutDetector.detect(root: "/nonexistent-oomwatch/")
        }
    }

    @Test func noKubeletMeansNoDriverAndOnlySlices() throws {
        let root = try X.copyTree("v2-systemd")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.removeItem(atPath: root + "/kubepods.slice")
        let layout = try CgroupLayoutDetector.detect(root: root)
        #expect(CgroupLayoutDetector.detectDriver(layout: layout) == nil)
        let walked = CgroupTreeWalker(layout: layout).walk()
        #expect(walked.map(\.path) == ["/", "/system.slice", "/system.slice/containerd.service", "/system.slice/haproxy.service",
                                       "/kube.slice", "/kube.slice/kubelet.service", "/user.slice"])
    }

    @Test func vanishedCgroupsAreSkippedNotErrors() throws {
        let root = try X.copyTree("v2-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc"))
        let gone = TrackedCgroup(path: "/kubepods/burstable/pod\(X.uidB)/\(X.c2)", role: .container)
        #expect(sampler.sample(gone, now: 0) != .vanished)
        try FileManager.default.removeItem(atPath: root + gone.path)
        #expect(sampler.sample(gone, now: 0) == .vanished)
        // Directory still there but its files gone (removed between listing and reading).
        let unit = root + "/system.slice/haproxy.service"
        for file in try FileManager.default.contentsOfDirectory(atPath: unit) { try FileManager.default.removeItem(atPath: unit + "/" + file) }
        #expect(sampler.sample(TrackedCgroup(path: "/system.slice/haproxy.service", role: .unit), now: 0) == .vanished)
        let report = sampler.poll(now: 0)
        #expect(report.vanishedCgroups == 1)
        #expect(report.unreadableFiles == 0)
        #expect(report.samples.count == X.entries(.cgroupfs).count + 1 - 2)   // node + 17 − c2 − haproxy
    }

    @Test func unreadableAndMalformedFilesDegradeTheSampleWithRateLimitedWarnings() throws {
        let root = try X.copyTree("v2-cgroupfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        // read(2) on a directory fails with EISDIR: an unreadable file, as EACCES/EIO would be.
        for unit in ["containerd.service", "haproxy.service"] {
            try fm.removeItem(atPath: root + "/system.slice/\(unit)/memory.events")
            try fm.createDirectory(atPath: root + "/system.slice/\(unit)/memory.events", withIntermediateDirectories: false)
        }
        try "anon lots\n".write(toFile: root + "/kube.slice/kubelet.service/memory.stat", atomically: true, encoding: .utf8)
        try fm.removeItem(atPath: root + "/user.slice/memory.pressure")
        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: root, procRoot: try X.fixturesDirectory() + "/proc", warningIntervalSeconds: 300))

        let first = sampler.poll(now: 1000)
        #expect(first.unreadableFiles == 2)
        #expect(first.malformedFiles == 1)
        #expect(first.vanishedCgroups == 0)
        #expect(first.warnings == [
            CgroupReadWarning(filePath: root + "/system.slice/containerd.service/memory.events", problem: .ioError(errno: EISDIR), suppressedBefore: 0),
            CgroupReadWarning(filePath: root + "/kube.slice/kubelet.service/memory.stat", problem: .malformed(.invalidNumber(line: 1)), suppressedBefore: 0),
        ])
        let entries = X.entries(.cgroupfs)
        var haproxy = X.v2Sample(entries[13])
        #expect(entries[13].path == "/system.slice/haproxy.service")
        haproxy.oomEvents = nil; haproxy.oomKillEvents = nil; haproxy.oomGroupKillEvents = nil
        haproxy.lowEvents = nil; haproxy.highEvents = nil; haproxy.maxEvents = nil
        haproxy.unreadableFields = [.events]
        X.expectEqual(first.sample(at: "/system.slice/haproxy.service")?.sample, haproxy, "degraded haproxy")
        var kubelet = X.v2Sample(entries[15])
        kubelet.rssBytes = 0; kubelet.cacheBytes = 0; kubelet.workingSetBytes = kubelet.usageBytes
        kubelet.unreadableFields = [.stat]
        X.expectEqual(first.sample(at: "/kube.slice/kubelet.service")?.sample, kubelet, "malformed kubelet stat")
        var user = X.v2Sample(entries[16])
        user.pressure = nil
        user.missingFields = [.pressure]
        X.expectEqual(first.sample(at: "/user.slice")?.sample, user, "user.slice without PSI")

        let second = sampler.poll(now: 1010)
        #expect(second.unreadableFiles == 2 && second.malformedFiles == 1)
        #expect(second.warnings.isEmpty)
        let third = sampler.poll(now: 1300)
        #expect(third.warnings.map(\.suppressedBefore) == [3, 1])
    }
}
