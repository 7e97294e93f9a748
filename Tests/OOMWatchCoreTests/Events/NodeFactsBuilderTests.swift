import Foundation
import OOMWatchCore
import Testing

@Suite("Node facts from a poll, kills and the kubelet configuration")
struct NodeFactsBuilderTests {
    static let prefix = "/oomwatch-test-1"
    static let gib: UInt64 = 1 << 30

    static func poll() -> PollReport {
        func sampled(_ path: String, _ role: TrackedCgroupRole, usage: UInt64, workingSet: UInt64, limit: UInt64? = nil) -> SampledCgroup {
            SampledCgroup(cgroup: TrackedCgroup(path: path, role: role), sample: MemorySample(usageBytes: usage, limitBytes: limit, workingSetBytes: workingSet))
        }
        return PollReport(
            samples: [
                sampled("/", .node, usage: 20 * gib, workingSet: 18 * gib),
                sampled("/system.slice", .slice, usage: 500 << 20, workingSet: 480 << 20, limit: 512 << 20),
                sampled("/system.slice/haproxy.service", .unit, usage: 300 << 20, workingSet: 290 << 20),
                sampled("/kubepods", .kubepods, usage: 4 * gib, workingSet: 3 * gib),
                sampled("/kubepods/besteffort/pod11111111-2222-3333-4444-555555555555", .pod, usage: 1, workingSet: 1),
                sampled("/kubepods/besteffort/pod21111111-2222-3333-4444-555555555555", .pod, usage: 1, workingSet: 1),
                sampled("/kubepods/burstable/pod31111111-2222-3333-4444-555555555555", .pod, usage: 1, workingSet: 1),
            ],
            node: NodeMemoryInfo(memTotalBytes: 20 * gib, swapTotalBytes: 2 * gib, swapFreeBytes: 1 * gib),
            vanishedCgroups: 0, unreadableFiles: 0, malformedFiles: 0, warnings: [], durationNanos: 0)
    }

    @Test func slicesPodsPressureAndSwapComeFromThePoll() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let facts = NodeFactsBuilder.build(poll: Self.poll(), kills: [], kubelet: nil, window: now.addingTimeInterval(-3600)...now,
                                           peakWorkingSet: ["/system.slice": 500 << 20])
        #expect(facts.capacityBytes == Int64(20 * Self.gib))
        #expect(facts.slices.map(\.path) == ["/system.slice", "/kubepods"], "slices and kubepods, not units or pods")
        let system = facts.slices[0]
        #expect(system.limitBytes == 512 << 20)
        #expect(system.workingSetBytes == 480 << 20)
        #expect(system.peakWorkingSetBytes == 500 << 20)
        #expect(facts.slices[1].limitBytes == nil)
        #expect(facts.bestEffortPodCount == 2)
        #expect(facts.underMemoryPressure, "18 of 20 GiB working set is 90 %")
        #expect(facts.swap == SwapFacts(totalBytes: Int64(2 * Self.gib), usedBytes: Int64(Self.gib)))
        #expect(facts.killWindowSeconds == 3600)
    }

    @Test func killsAreGroupedByOwnerInsideTheWindowWithThePrefixRemoved() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func kill(_ pid: Int, _ unit: String, minutesAgo: Double) -> OOMKill {
            EventTestData.kill(pid: pid, comm: unit, taskCgroup: "\(Self.prefix)/system.slice/\(unit).service", limitCgroup: "\(Self.prefix)/system.slice",
                               realtimeMicros: Int64((now.timeIntervalSince1970 - minutesAgo * 60) * 1_000_000), monotonicMicros: Int64(pid) * 1_000_000)
        }
        let kills = [kill(1, "haproxy", minutesAgo: 50), kill(2, "haproxy", minutesAgo: 5), kill(3, "systemd-resolved", minutesAgo: 3), kill(4, "haproxy", minutesAgo: 90)]
        let owners = NodeFactsBuilder.ownerKills(kills, hierarchyPrefix: Self.prefix, window: now.addingTimeInterval(-3600)...now)
        #expect(owners.map(\.displayName) == ["haproxy.service", "systemd-resolved.service"])
        #expect(owners.map(\.count) == [2, 1], "the kill 90 minutes ago is outside the window")
        #expect(owners.allSatisfy { $0.limitCgroup == "/system.slice" && $0.slice == "system.slice" && $0.ownerKind == .unit })
        #expect(abs(owners[0].lastTime.timeIntervalSince1970 - (now.timeIntervalSince1970 - 300)) < 0.001, "the latest of the owner's kills")
    }

    @Test func relativePaths() {
        #expect(NodeFactsBuilder.relative("/p/system.slice", to: "/p") == "/system.slice")
        #expect(NodeFactsBuilder.relative("/p", to: "/p") == "/")
        #expect(NodeFactsBuilder.relative("/px/system.slice", to: "/p") == "/px/system.slice")
        #expect(NodeFactsBuilder.relative("/system.slice", to: "") == "/system.slice")
    }
}

@Suite("Owner labels and names")
struct OwnerLabelTests {
    @Test func labelsForEveryOwnerKind() {
        let pod = CgroupOwner.pod(PodRef(podUID: "uid-1", qos: .burstable, containerID: "0123456789abcdef0123", runtime: .containerd))
        #expect(OwnerLabels(pod).values == ["pod", "kubepods", "", "uid-1", "0123456789ab", "burstable", ""])
        var named = PodRef(podUID: "uid-1", qos: .guaranteed, containerID: "abc")
        named.namespace = "shop"
        named.podName = "web-1"
        named.containerName = "nginx"
        #expect(OwnerLabels(.pod(named)).values == ["pod", "kubepods", "shop", "web-1", "nginx", "guaranteed", ""])
        #expect(OwnerLabels(.systemdUnit(slice: "system.slice", unit: "haproxy.service")).values == ["unit", "system.slice", "", "", "", "", "haproxy.service"])
        #expect(OwnerLabels(.slice("kube.slice")).values == ["slice", "kube.slice", "", "", "", "", ""])
        #expect(OwnerLabels(.kubepods(qos: .besteffort)).values == ["kubepods", "kubepods", "", "", "", "besteffort", ""])
        #expect(OwnerLabels(.root).values == ["root", "", "", "", "", "", ""])
        #expect(OwnerLabels(.unknown("/x")).values == ["unknown", "", "", "", "", "", ""])
        #expect(OwnerLabels.names.count == OwnerLabels(.root).values.count)
    }

    @Test func podOwnersAreNamedFromLookups() {
        let owner = CgroupOwner.pod(PodRef(podUID: "uid-1", qos: .burstable, containerID: "cid"))
        let named = owner.named(pod: { $0 == "uid-1" ? ("shop", "web-1") : nil }, container: { $0 == "cid" ? "nginx" : nil })
        guard case .pod(let ref) = named else {
            Issue.record("still a pod")
            return
        }
        #expect(ref.namespace == "shop" && ref.podName == "web-1" && ref.containerName == "nginx")
        let unknown = owner.named(pod: { _ in nil }, container: { _ in nil })
        #expect(unknown == owner)
        let unit = CgroupOwner.systemdUnit(slice: "system.slice", unit: "a.service")
        #expect(unit.named(pod: { _ in ("x", "y") }, container: { _ in "z" }) == unit)
    }
}
