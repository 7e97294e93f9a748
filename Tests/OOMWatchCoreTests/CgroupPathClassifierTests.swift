import Foundation
import Testing
@testable import OOMWatchCore

@Suite("Cgroup path classification")
struct CgroupPathClassifierTests {
    static let uid = "10d16a28-60ff-475f-a631-510d9792219f"
    static let uidU = "10d16a28_60ff_475f_a631_510d9792219f"
    static let cid = "178ec18073cc6ac7be2de8d9869daf162a6349dd056b6535849112c53ec3102a"

    @Test("every path shape", arguments: [
        // cgroupfs driver
        ("/kubepods/burstable/pod\(uid)/\(cid)", CgroupOwner.pod(PodRef(podUID: uid, qos: .burstable, containerID: cid, runtime: .unknown))),
        ("/kubepods/besteffort/pod\(uid)/\(cid)", .pod(PodRef(podUID: uid, qos: .besteffort, containerID: cid, runtime: .unknown))),
        ("/kubepods/pod\(uid)/\(cid)", .pod(PodRef(podUID: uid, qos: .guaranteed, containerID: cid, runtime: .unknown))),
        ("/kubepods/burstable/pod\(uid)", .pod(PodRef(podUID: uid, qos: .burstable))),
        ("/kubepods/pod\(uid)", .pod(PodRef(podUID: uid, qos: .guaranteed))),
        ("/kubepods/burstable/pod\(uid)/crio-\(cid)", .pod(PodRef(podUID: uid, qos: .burstable, containerID: cid, runtime: .crio))),
        ("/kubepods", .kubepods(qos: nil)),
        ("/kubepods/burstable", .kubepods(qos: .burstable)),
        ("/kubepods/besteffort", .kubepods(qos: .besteffort)),
        // systemd driver, every runtime
        ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidU).slice/cri-containerd-\(cid).scope",
         .pod(PodRef(podUID: uid, qos: .burstable, containerID: cid, runtime: .containerd))),
        ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(uidU).slice/crio-\(cid).scope",
         .pod(PodRef(podUID: uid, qos: .besteffort, containerID: cid, runtime: .crio))),
        ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(uidU).slice/crio-conmon-\(cid).scope",
         .pod(PodRef(podUID: uid, qos: .besteffort, containerID: cid, runtime: .crio))),
        ("/kubepods.slice/kubepods-pod\(uidU).slice/docker-\(cid).scope",
         .pod(PodRef(podUID: uid, qos: .guaranteed, containerID: cid, runtime: .docker))),
        ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidU).slice",
         .pod(PodRef(podUID: uid, qos: .burstable))),
        ("/kubepods.slice", .kubepods(qos: nil)),
        ("/kubepods.slice/kubepods-burstable.slice", .kubepods(qos: .burstable)),
        ("/kubepods.slice/kubepods-besteffort.slice", .kubepods(qos: .besteffort)),
        // prefixes before kubepods
        ("/oomwatch-test-123/kubepods/burstable/pod\(uid)/\(cid)", .pod(PodRef(podUID: uid, qos: .burstable, containerID: cid, runtime: .unknown))),
        ("/lxc.payload.ny2g2r5hh3-lxc/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uidU).slice/cri-containerd-\(cid).scope",
         .pod(PodRef(podUID: uid, qos: .burstable, containerID: cid, runtime: .containerd))),
        ("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod\(uidU).slice/cri-containerd-\(cid).scope",
         .pod(PodRef(podUID: uid, qos: .besteffort, containerID: cid, runtime: .containerd))),
        // systemd units and slices
        ("/system.slice/haproxy.service", .systemdUnit(slice: "system.slice", unit: "haproxy.service")),
        ("/kube.slice/kubelet.service", .systemdUnit(slice: "kube.slice", unit: "kubelet.service")),
        ("/oomwatch-probe/system.slice/haproxy.service", .systemdUnit(slice: "system.slice", unit: "haproxy.service")),
        ("/user.slice/user-1000.slice/session-1.scope", .systemdUnit(slice: "user-1000.slice", unit: "session-1.scope")),
        ("/user.slice/user-1000.slice/user@1000.service/app.slice/snap.firefox.firefox-fbdb6139.scope",
         .systemdUnit(slice: "app.slice", unit: "snap.firefox.firefox-fbdb6139.scope")),
        ("/system.slice/docker-\(cid).scope", .systemdUnit(slice: "system.slice", unit: "docker-\(cid).scope")),
        ("/init.scope", .systemdUnit(slice: "-.slice", unit: "init.scope")),
        ("/kube.slice", .slice("kube.slice")),
        ("/system.slice", .slice("system.slice")),
        ("/user.slice/user-1000.slice", .slice("user-1000.slice")),
        // root and unknown
        ("/", .root),
        ("", .unknown("")),
        ("/docker/\(cid)", .unknown("/docker/\(cid)")),
        ("/lxc.payload.ab-p-agent-010", .unknown("/lxc.payload.ab-p-agent-010")),
        ("/apps/uid_10198", .unknown("/apps/uid_10198")),
    ])
    func classify(path: String, expected: CgroupOwner) {
        #expect(CgroupPathClassifier.classify(path) == expected)
        // The shortcut for counting BestEffort pods agrees with the full classification on every shape.
        if case .pod(let ref) = expected, ref.containerID == nil {
            #expect(CgroupPathClassifier.isBestEffortPodPath(path + "/") == (ref.qos == .besteffort), "\(path)")
        }
    }

    @Test func byteSearchFindsThePatternAnywhereAndOnlyWhole() {
        #expect(CgroupPathClassifier.containsBytes("/besteffort/pod1", "/besteffort/"))
        #expect(CgroupPathClassifier.containsBytes("/kubepods/besteffort/", "/besteffort/"))
        #expect(CgroupPathClassifier.containsBytes("/a/\u{e9}t\u{e9}/besteffort/x", "/besteffort/"))
        #expect(!CgroupPathClassifier.containsBytes("/besteffort", "/besteffort/"))
        #expect(!CgroupPathClassifier.containsBytes("/besteffor/t/", "/besteffort/"))
        #expect(!CgroupPathClassifier.containsBytes("", "/besteffort/"))
        #expect(CgroupPathClassifier.containsBytes("x", ""))
    }

    @Test("kind labels")
    func kinds() {
        #expect(CgroupPathClassifier.classify("/kubepods/pod\(Self.uid)").kind == "pod")
        #expect(CgroupPathClassifier.classify("/system.slice/a.service").kind == "unit")
        #expect(CgroupPathClassifier.classify("/kube.slice").kind == "slice")
        #expect(CgroupPathClassifier.classify("/kubepods/burstable").kind == "kubepods")
        #expect(CgroupPathClassifier.classify("/").kind == "root")
        #expect(CgroupPathClassifier.classify("/x").kind == "unknown")
    }

    @Test("Codable round trip with kind discriminator")
    func codable() throws {
        let owners: [CgroupOwner] = [
            .pod(PodRef(podUID: Self.uid, qos: .burstable, containerID: Self.cid, runtime: .containerd, isSandbox: false, namespace: "ns", podName: "p", containerName: "c")),
            .systemdUnit(slice: "system.slice", unit: "haproxy.service"), .slice("kube.slice"), .kubepods(qos: .besteffort),
            .kubepods(qos: nil), .root, .unknown("/x"),
        ]
        for o in owners {
            let data = try JSONEncoder().encode(o)
            #expect(try JSONDecoder().decode(CgroupOwner.self, from: data) == o)
        }
        let json = String(decoding: try { let e = JSONEncoder(); e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]; return try e.encode(CgroupOwner.systemdUnit(slice: "system.slice", unit: "haproxy.service")) }(), as: UTF8.self)
        #expect(json == #"{"kind":"unit","slice":"system.slice","unit":"haproxy.service"}"#)
    }
}
