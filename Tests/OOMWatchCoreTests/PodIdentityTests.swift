import Testing
@testable import OOMWatchCore

@Suite struct PodIdentityTests {
    @Test func parsesPodLogDirectoryNames() {
        #expect(PodIdentity.parse(logDirectoryName: "kube-system_coredns-5d78c9869d-6lx9c_8a1c2f3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b")
            == PodIdentity(namespace: "kube-system", name: "coredns-5d78c9869d-6lx9c", uid: "8a1c2f3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b"))
        // Pod names may contain dots; static pods have 32-hex UIDs.
        #expect(PodIdentity.parse(logDirectoryName: "kube-system_kube-apiserver-node-1.example.com_c5f5a2f4e2c3b0d1e2f3a4b5c6d7e8f9")
            == PodIdentity(namespace: "kube-system", name: "kube-apiserver-node-1.example.com", uid: "c5f5a2f4e2c3b0d1e2f3a4b5c6d7e8f9"))
        #expect(PodIdentity.parse(logDirectoryName: "ns_pod_8A1C2F3E-4B5D-4E6F-8A9B-0C1D2E3F4A5B")?.uid == "8a1c2f3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b")
    }

    @Test(arguments: ["", "ns_pod", "ns_pod_uid_extra", "_pod_8a1c2f3e-4b5d", "ns__8a1c2f3e-4b5d", "ns_pod_not-a-uid!", "ns_pod_", "lost+found", "ns_pod_abc"])
    func rejectsOtherNames(name: String) {
        #expect(PodIdentity.parse(logDirectoryName: name) == nil)
    }

    @Test func parsesLinkTargets() {
        #expect(PodIdentity.parse(logPath: "/var/log/pods/default_web-0_11111111-2222-3333-4444-555555555555/nginx/3.log")
            == PodIdentity(namespace: "default", name: "web-0", uid: "11111111-2222-3333-4444-555555555555"))
        #expect(PodIdentity.parse(logPath: "nginx/3.log") == nil)
    }

    @Test func systemdDriverUIDsAreNormalised() {
        #expect(PodIdentity.normalizedUID("8a1c2f3e_4b5d_4e6f_8a9b_0c1d2e3f4a5b") == "8a1c2f3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b")
        #expect(PodIdentity.normalizedUID("xyz") == nil)
    }

    @Test func parsesContainerLogFileNames() {
        let id = "3f9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
        #expect(ContainerLogName.parse(fileName: "coredns-5d78c9869d-6lx9c_kube-system_coredns-\(id).log")
            == ContainerLogName(podName: "coredns-5d78c9869d-6lx9c", namespace: "kube-system", containerName: "coredns", containerID: id))
        // Container names with dashes; pod names with dots.
        #expect(ContainerLogName.parse(fileName: "web.v2-0_prod_istio-proxy-\(id).log")
            == ContainerLogName(podName: "web.v2-0", namespace: "prod", containerName: "istio-proxy", containerID: id))
        #expect(ContainerLogName.parse(fileName: "web_prod_app-\(id.uppercased()).log")?.containerID == id)
    }

    @Test(arguments: [
        "web_prod_app-3f9a1c0e4b7d.log",
        "web_prod_app-3f9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f",
        "web_prod_app_3f9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f.log",
        "webprod_app-3f9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f.log",
        "web_prod_app-zf9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f.log",
        "-3f9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f.log",
    ])
    func rejectsOtherFileNames(name: String) {
        #expect(ContainerLogName.parse(fileName: name) == nil)
    }

    @Test func containerIDs() {
        let id = "3f9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
        #expect(ContainerID.normalized("containerd://" + id) == id)
        #expect(ContainerID.normalized("3F9A1C0E4B7D") == "3f9a1c0e4b7d")
        #expect(ContainerID.normalized("3f9a1c0e4b7") == nil)
        #expect(ContainerID.normalized("g" + id.dropFirst()) == nil)
    }
}
