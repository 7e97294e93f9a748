import Foundation
import OOMWatchCore
import Testing
@testable import OOMWatchAdapters

@Suite struct KubeletConfigLoaderTests {
    @Test func kubeadmGeneratedConfiguration() throws {
        let loader = KubeletConfigLoader(path: try Fixture.path("kubeadm-config.yaml"))
        let settings = try #require(try loader.loadSettings())
        #expect(settings == KubeletSettings(cgroupDriver: "systemd"))
        let config = try #require(try loader.load())
        #expect(config == KubeletConfiguration(cgroupDriver: "systemd"))
        #expect(config.evictionHardMemoryAvailable == .bytes(100 << 20))
        #expect(Allocatable.compute(capacity: 8 << 30, config: config).allocatableBytes == (8 << 30) - (100 << 20))
    }

    @Test func documentationExampleAsAFile() throws {
        let config = try #require(try KubeletConfigLoader(path: try Fixture.path("reserve-compute-resources-example.yaml")).load())
        #expect(config.enforceNodeAllocatable == ["pods"])
        #expect(config.kubeReservedMemoryBytes == 2 << 30)
        #expect(config.systemReservedMemoryBytes == 1 << 30)
        #expect(config.evictionHardMemoryAvailable == .bytes(500 << 20))
        #expect(config.systemReservedCgroup == nil)
        #expect(!config.enforcesSystemReservedMemory)
        #expect(Allocatable.compute(capacity: 32 << 30, config: config).allocatableBytes == 30_614_224_896)
    }

    @Test func seedIncidentConfiguration() throws {
        let config = try #require(try KubeletConfigLoader(path: try Fixture.path("seed-incident.yaml")).load())
        #expect(config == KubeletConfiguration(
            enforceNodeAllocatable: ["pods", "system-reserved", "kube-reserved"],
            systemReservedMemoryBytes: 512 << 20,
            kubeReservedMemoryBytes: 1 << 30,
            systemReservedCgroup: "/system.slice",
            kubeReservedCgroup: "/kube.slice",
            evictionHardMemoryAvailable: .percentage(5),
            cgroupDriver: "systemd",
            failSwapOn: false,
            swapBehavior: "LimitedSwap"
        ))
        #expect(config.enforcedMemoryLimit(onCgroup: "/system.slice")?.bytes == 512 << 20)
    }

    @Test func flagsFromTheCommandLineWinOverTheFile() throws {
        let flags = KubeletFlags.parse(["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml", "--system-reserved=memory=2Gi", "--enforce-node-allocatable=pods"])
        let config = try #require(try KubeletConfigLoader(path: try Fixture.path("seed-incident.yaml")).load(flags: flags))
        #expect(config.systemReservedMemoryBytes == 2 << 30)
        #expect(config.enforceNodeAllocatable == ["pods"])
        #expect(config.kubeReservedMemoryBytes == 1 << 30)
        #expect(config.fromFlags == ["enforceNodeAllocatable", "systemReserved"])
    }

    @Test func missingFileMeansNoKubelet() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try KubeletConfigLoader(path: directory.path + "/config.yaml").loadSettings() == nil)
        #expect(try KubeletConfigLoader(path: directory.path + "/nope/config.yaml").load() == nil)
        // With flags but no file, the flags alone make the configuration.
        let flags = KubeletFlags.parse(["kubelet", "--cgroup-driver=systemd"])
        #expect(try KubeletConfigLoader(path: directory.path + "/config.yaml").load(flags: flags)?.cgroupDriver == "systemd")
    }

    @Test func malformedYAMLIsATypedErrorWithThePath() throws {
        let path = try Fixture.path("malformed.yaml")
        do {
            _ = try KubeletConfigLoader(path: path).loadSettings()
            Issue.record("expected an error")
        } catch {
            guard case .malformedYAML(let errorPath, let detail) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(detail.contains("line 5"))
            #expect(error.description.hasPrefix("kubelet configuration \(path) is not valid YAML: "))
        }
    }

    @Test func otherDocumentsAndWrongShapesAreRejected() {
        #expect(throws: KubeletConfigLoadError.notAKubeletConfiguration(path: "p", detail: "kind is KubeProxyConfiguration")) {
            try KubeletConfigLoader.settings(fromYAML: "kind: KubeProxyConfiguration\nmode: ipvs\n", path: "p")
        }
        #expect(throws: KubeletConfigLoadError.notAKubeletConfiguration(path: "p", detail: "the document is not a mapping")) {
            try KubeletConfigLoader.settings(fromYAML: "- a\n- b\n", path: "p")
        }
        #expect(throws: KubeletConfigLoadError.invalidField(path: "p", field: "systemReserved", detail: "not a mapping")) {
            try KubeletConfigLoader.settings(fromYAML: "systemReserved: [memory]\n", path: "p")
        }
        #expect(throws: KubeletConfigLoadError.invalidField(path: "p", field: "failSwapOn", detail: "not a boolean")) {
            try KubeletConfigLoader.settings(fromYAML: "failSwapOn: sometimes\n", path: "p")
        }
    }

    @Test func invalidQuantityIsReportedWithPathAndField() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.file("config.yaml", "kind: KubeletConfiguration\nsystemReserved:\n  memory: 5Gx\n")
        #expect(throws: KubeletConfigLoadError.invalidValue(
            path: directory.path + "/config.yaml",
            error: KubeletConfigurationError(field: "systemReserved.memory", quantityError: QuantityError(input: "5Gx", reason: .unknownSuffix("Gx"))))) {
            try KubeletConfigLoader(path: directory.path + "/config.yaml").load()
        }
    }

    @Test func scalarsOfAnyYAMLTypeAreReadAsWritten() throws {
        let settings = try KubeletConfigLoader.settings(fromYAML: """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            enforceNodeAllocatable: "pods,system-reserved"
            systemReserved: {memory: 536870912, cpu: 1}
            kubeReserved: ~
            evictionHard: {}
            systemReservedCgroup: '/system.slice'
            """, path: "inline")
        #expect(settings == KubeletSettings(
            enforceNodeAllocatable: ["pods", "system-reserved"],
            systemReserved: ["memory": "536870912", "cpu": "1"],
            systemReservedCgroup: "/system.slice",
            evictionHard: [:]))
        #expect(try KubeletConfigLoader.settings(fromYAML: "", path: "empty") == KubeletSettings())
        #expect(try KubeletConfigLoader.settings(fromYAML: "# only a comment\n", path: "empty") == KubeletSettings())
    }
}

@Suite struct KubeletProcessFinderTests {
    private func writeProcess(_ root: TemporaryDirectory, pid: Int, argv: [String]) throws {
        try root.file("\(pid)/cmdline", argv.joined(separator: "\u{0}") + "\u{0}")
    }

    @Test func findsTheKubeletByArgv0Basename() throws {
        let proc = try TemporaryDirectory()
        defer { proc.remove() }
        try writeProcess(proc, pid: 1, argv: ["/sbin/init"])
        try writeProcess(proc, pid: 950, argv: ["/usr/bin/containerd"])
        try writeProcess(proc, pid: 12, argv: ["/usr/bin/vim", "/usr/bin/kubelet"])
        try writeProcess(proc, pid: 1200, argv: ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml", "--kube-reserved=memory=1Gi"])
        try proc.file("1300/cmdline", "")  // a kernel thread
        try proc.file("self/cmdline", "kubelet\u{0}")
        try proc.directory("1400")          // vanished between readdir and read
        let found = try #require(KubeletProcessFinder(procRoot: proc.path).find())
        #expect(found.pid == 1200)
        #expect(found.arguments == ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml", "--kube-reserved=memory=1Gi"])
        #expect(found.flags.configPath == "/var/lib/kubelet/config.yaml")
        #expect(found.flags.overrides.kubeReserved == ["memory": "1Gi"])
    }

    @Test func noKubeletAndMissingProc() throws {
        let proc = try TemporaryDirectory()
        defer { proc.remove() }
        try writeProcess(proc, pid: 1, argv: ["/sbin/init"])
        try writeProcess(proc, pid: 2, argv: ["kubelet-helper"])
        #expect(KubeletProcessFinder(procRoot: proc.path).find() == nil)
        #expect(KubeletProcessFinder(procRoot: proc.path + "/missing").find() == nil)
    }

    @Test func cmdlineSplittingAndHyperkube() {
        #expect(KubeletProcessFinder.arguments(fromCmdline: Array("a\u{0}\u{0}b\u{0}".utf8)) == ["a", "", "b"])
        #expect(KubeletProcessFinder.isKubelet(["kubelet"]))
        #expect(KubeletProcessFinder.isKubelet(["/hyperkube", "kubelet", "--v=2"]))
        #expect(!KubeletProcessFinder.isKubelet(["/hyperkube", "kube-proxy"]))
        #expect(!KubeletProcessFinder.isKubelet([]))
    }

    @Test func findsThisMachinesRealProcessTableWithoutCrashing() {
        // The real /proc is scanned without error; whatever it finds really is named kubelet.
        if let found = KubeletProcessFinder().find() {
            #expect(KubeletProcessFinder.isKubelet(found.arguments))
        }
    }
}

@Suite struct KubeletDiscoveryTests {
    @Test func usesTheRunningKubeletsConfigFlagUnderTheHostRoot() throws {
        let host = try TemporaryDirectory()
        defer { host.remove() }
        try host.file("etc/kubernetes/kubelet.yaml", try String(contentsOfFile: try Fixture.path("seed-incident.yaml"), encoding: .utf8))
        try host.file("proc/4242/cmdline", ["/usr/local/bin/kubelet", "--config", "/etc/kubernetes/kubelet.yaml", "--kube-reserved=memory=2Gi", "--system-reserved=memory"].joined(separator: "\u{0}"))
        let result = try KubeletDiscovery(procRoot: host.path + "/proc", hostRoot: host.path + "/").discover()
        #expect(result.configPath == host.path + "/etc/kubernetes/kubelet.yaml")
        #expect(result.configFileFound)
        #expect(result.kubeletPID == 4242)
        #expect(result.malformedFlags == ["--system-reserved=memory"])
        let config = try #require(result.configuration)
        #expect(config.kubeReservedMemoryBytes == 2 << 30)
        #expect(config.systemReservedMemoryBytes == 512 << 20)
        #expect(config.fromFlags == ["kubeReserved"])
    }

    @Test func noKubeletNoFileMeansNoConfiguration() throws {
        let host = try TemporaryDirectory()
        defer { host.remove() }
        try host.directory("proc")
        let result = try KubeletDiscovery(procRoot: host.path + "/proc", hostRoot: host.path).discover()
        #expect(result.configuration == nil)
        #expect(result.configPath == host.path + "/var/lib/kubelet/config.yaml")
        #expect(!result.configFileFound)
        #expect(result.kubeletPID == nil)
    }

    @Test func explicitPathWins() throws {
        let host = try TemporaryDirectory()
        defer { host.remove() }
        try host.file("proc/7/cmdline", "kubelet\u{0}--config=/elsewhere.yaml")
        let path = try Fixture.path("reserve-compute-resources-example.yaml")
        let result = try KubeletDiscovery(explicitConfigPath: path, procRoot: host.path + "/proc").discover()
        #expect(result.configPath == path)
        #expect(result.configuration?.kubeReservedMemoryBytes == 2 << 30)
    }
}
