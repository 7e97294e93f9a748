import Foundation
import Testing
import OOMWatchCore

/// Expected values of the fixture trees written by scripts/make-cgroup-fixtures.py
/// (see its docstring: every value is a function of the cgroup's index k).
enum FixtureExpectations {
    static let MiB: UInt64 = 1 << 20
    static let uidG = "8f6b1c8e-3a0e-4c4e-9d39-6f1f0b2f4a11"
    static let uidB = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    static let uidE = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
    static let c1 = "3b7f2c1d9e8a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4"
    static let c2 = "9a8b7c6d5e4f30211f2e3d4c5b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f9"
    static let c3 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
    static let c4 = "5e4d3c2b1a0f9e8d7c6b5a49382716055e4d3c2b1a0f9e8d7c6b5a4938271605"
    static let pause = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

    struct Entry {
        let k: UInt64
        let path: String
        let role: TrackedCgroupRole
        let limit: UInt64?
        let high: UInt64?
    }

    static func entries(_ driver: CgroupDriver) -> [Entry] {
        let pods: [(String, TrackedCgroupRole, UInt64?)]
        switch driver {
        case .cgroupfs:
            pods = [
                ("/kubepods", .kubepods, nil), ("/kubepods/burstable", .qosTier, nil), ("/kubepods/besteffort", .qosTier, nil),
                ("/kubepods/pod\(uidG)", .pod, 256 * MiB), ("/kubepods/pod\(uidG)/\(c1)", .container, 256 * MiB),
                ("/kubepods/burstable/pod\(uidB)", .pod, nil), ("/kubepods/burstable/pod\(uidB)/\(pause)", .container, nil),
                ("/kubepods/burstable/pod\(uidB)/\(c2)", .container, 128 * MiB), ("/kubepods/burstable/pod\(uidB)/\(c3)", .container, nil),
                ("/kubepods/besteffort/pod\(uidE)", .pod, nil), ("/kubepods/besteffort/pod\(uidE)/\(c4)", .container, nil),
            ]
        case .systemd:
            let g = uidG.replacingOccurrences(of: "-", with: "_")
            let b = uidB.replacingOccurrences(of: "-", with: "_")
            let e = uidE.replacingOccurrences(of: "-", with: "_")
            let k = "/kubepods.slice"
            let bp = "\(k)/kubepods-burstable.slice/kubepods-burstable-pod\(b).slice"
            let ep = "\(k)/kubepods-besteffort.slice/kubepods-besteffort-pod\(e).slice"
            pods = [
                (k, .kubepods, nil), ("\(k)/kubepods-burstable.slice", .qosTier, nil), ("\(k)/kubepods-besteffort.slice", .qosTier, nil),
                ("\(k)/kubepods-pod\(g).slice", .pod, 256 * MiB), ("\(k)/kubepods-pod\(g).slice/cri-containerd-\(c1).scope", .container, 256 * MiB),
                (bp, .pod, nil), ("\(bp)/cri-containerd-\(pause).scope", .container, nil),
                ("\(bp)/cri-containerd-\(c2).scope", .container, 128 * MiB), ("\(bp)/cri-containerd-\(c3).scope", .container, nil),
                (ep, .pod, nil), ("\(ep)/crio-\(c4).scope", .container, nil),
            ]
        }
        let slices: [(String, TrackedCgroupRole, UInt64?)] = [
            ("/system.slice", .slice, 512 * MiB), ("/system.slice/containerd.service", .unit, nil),
            ("/system.slice/haproxy.service", .unit, nil), ("/kube.slice", .slice, nil),
            ("/kube.slice/kubelet.service", .unit, nil), ("/user.slice", .slice, nil),
        ]
        return (pods + slices).enumerated().map { index, item in
            Entry(k: UInt64(index + 1), path: item.0, role: item.1, limit: item.2,
                  high: item.0 == "/system.slice/containerd.service" ? 384 * MiB : nil)
        }
    }

    static func pressure(_ k: UInt64) -> PressureStall {
        let d = Double(k)
        return PressureStall(
            some: PressureStallLine(avg10: d + 0.10, avg60: d + 0.20, avg300: d + 0.30, totalMicros: k * 1000),
            full: PressureStallLine(avg10: Double(k % 10) / 100, avg60: Double(k % 10) / 10, avg300: d, totalMicros: k * 100))
    }

    static func v2Sample(_ e: Entry) -> MemorySample {
        let k = e.k
        return MemorySample(
            usageBytes: k * 16 * MiB, limitBytes: e.limit, highBytes: e.high, workingSetBytes: k * 14 * MiB,
            rssBytes: k * 10 * MiB, cacheBytes: k * 6 * MiB, swapBytes: k * 4096, failcnt: nil, underOOM: nil,
            oomEvents: 3 * k, oomKillEvents: k, oomGroupKillEvents: k % 2, lowEvents: 0, highEvents: k, maxEvents: 2 * k,
            memswUsageBytes: nil, memswLimitBytes: nil, pressure: pressure(k), missingFields: [], unreadableFields: [])
    }

    static func v1Sample(k: UInt64, limit: UInt64?, pressure psi: PressureStall?) -> MemorySample {
        MemorySample(
            usageBytes: k * 16 * MiB, limitBytes: limit, highBytes: nil, workingSetBytes: k * 14 * MiB,
            rssBytes: k * 10 * MiB, cacheBytes: k * 6 * MiB, swapBytes: k * 4096, failcnt: k, underOOM: k == 7,
            oomEvents: nil, oomKillEvents: k, oomGroupKillEvents: nil, lowEvents: nil, highEvents: nil, maxEvents: nil,
            memswUsageBytes: k * 16 * MiB + k * 4096, memswLimitBytes: nil, pressure: psi,
            missingFields: psi == nil ? [.pressure] : [], unreadableFields: [])
    }

    /// Compares two samples field by field, PSI averages within 1e-9 (decimal fractions).
    static func expectEqual(_ actual: MemorySample?, _ expected: MemorySample, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("no sample for \(context)", sourceLocation: sourceLocation)
            return
        }
        var a = actual
        var b = expected
        let pa = a.pressure
        let pb = b.pressure
        a.pressure = nil
        b.pressure = nil
        #expect(a == b, "\(context)", sourceLocation: sourceLocation)
        #expect((pa == nil) == (pb == nil), "\(context) pressure presence", sourceLocation: sourceLocation)
        if let pa, let pb {
            #expect(close(pa.some, pb.some), "\(context) some", sourceLocation: sourceLocation)
            #expect((pa.full == nil) == (pb.full == nil), sourceLocation: sourceLocation)
            if let fa = pa.full, let fb = pb.full { #expect(close(fa, fb), "\(context) full", sourceLocation: sourceLocation) }
        }
    }

    static func close(_ a: PressureStallLine, _ b: PressureStallLine) -> Bool {
        abs(a.avg10 - b.avg10) < 1e-9 && abs(a.avg60 - b.avg60) < 1e-9 && abs(a.avg300 - b.avg300) < 1e-9 && a.totalMicros == b.totalMicros
    }

    static func fixturesDirectory() throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return url.path
    }

    /// Copies a fixture tree into a fresh temporary directory (for tests that damage it).
    static func copyTree(_ name: String) throws -> String {
        let source = try fixturesDirectory() + "/trees/" + name
        let destination = NSTemporaryDirectory() + "oomwatch-fixture-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.copyItem(atPath: source, toPath: destination)
        return destination
    }
}
