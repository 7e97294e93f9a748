import Foundation
import OOMWatchCore
import Testing
@testable import OOMWatchServer

/// The data of the status page (`GET /`): the charted slices found under either driver's path, and the most
/// recent kills with the total count.
@Suite struct StatusPageSnapshotTests {
    static let now: Int64 = 1_700_000_000

    static func kill(_ n: Int) -> NodeEvent {
        .kill(OOMKill(
            id: String(format: "%016x", n), bootID: "b", realtimeMicros: (now - 3_000 + Int64(n)) * 1_000_000, monotonicMicros: Int64(n),
            context: .memoryCgroup, trigger: nil, victim: .init(pid: 1000 + n, comm: ProcessName(display: "worker")),
            constraint: .memcg, limitCgroup: "/system.slice", taskCgroup: "/system.slice/worker.service", cpuset: nil, memsAllowed: nil,
            memcg: nil, candidate: nil, reaped: nil, oomGroupCgroup: nil,
            owner: .systemdUnit(slice: "system.slice", unit: "worker.service"), limitOwner: .slice("system.slice")), replayed: false)
    }

    @Test func slicesAreFoundUnderEitherDriversPathAndOnlyTheShownKillsAreRowsOfAllCounted() throws {
        let node = NodeState(nowSeconds: Self.now - 60)
        let sample = MemorySample(usageBytes: 512 << 20, workingSetBytes: 256 << 20)
        let cgroups: [(String, TrackedCgroupRole)] = [
            ("/", .node), ("/kubepods", .kubepods), ("/kubepods/burstable", .qosTier), ("/system.slice", .slice),
            ("/system.slice/worker.service", .unit),
        ]
        node.ingest(PollReport(
            samples: cgroups.map { SampledCgroup(cgroup: TrackedCgroup(path: $0.0, role: $0.1), sample: sample) },
            node: nil, vanishedCgroups: 0, unreadableFiles: 0, malformedFiles: 0, warnings: [], durationNanos: 1), atSeconds: Self.now - 30)
        for n in 1...20 { #expect(node.record(Self.kill(n))) }

        let snapshot = StatusPageRoute.snapshot(
            node: node, readiness: Readiness(), nowMicros: Self.now * 1_000_000, windowSeconds: 3600, hostname: "node-1")
        #expect(snapshot.slices.map(\.name) == ["kubepods", "system.slice", "kube.slice"])
        #expect(snapshot.slices.map(\.path) == ["/kubepods", "/system.slice", nil], "cgroupfs kubepods, no kube.slice on this node")
        #expect(snapshot.slices[1].history?.points.last?.workingSetBytes == 256 << 20)
        #expect(snapshot.slices[2].history == nil)
        #expect(snapshot.totalKills == 20)
        #expect(snapshot.recentKills.count == StatusPageRoute.killRows)
        #expect(snapshot.recentKills.map(\.pid) == Array((6...20).reversed()).map { 1000 + $0 }, "newest first")
    }
}
