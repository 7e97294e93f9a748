import Testing
@testable import OOMWatchCore

@Suite struct KubeletFlagsTests {
    @Test func parsesARealisticKubeletCommandLine() {
        let argv = [
            "/usr/bin/kubelet",
            "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
            "--kubeconfig=/etc/kubernetes/kubelet.conf",
            "--config=/var/lib/kubelet/config.yaml",
            "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
            "--system-reserved=memory=1Gi,cpu=500m",
            "--kube-reserved", "cpu=1, memory=2Gi",
            "--kube-reserved-cgroup=/kube.slice",
            "--system-reserved-cgroup", "/system.slice",
            "--enforce-node-allocatable=pods,system-reserved",
            "--eviction-hard=memory.available<100Mi,nodefs.available<10%",
            "--cgroup-driver=systemd",
            "--fail-swap-on=false",
            "--v=2",
        ]
        let flags = KubeletFlags.parse(argv)
        #expect(flags.configPath == "/var/lib/kubelet/config.yaml")
        #expect(flags.malformed == [])
        #expect(flags.overrides == KubeletSettings(
            enforceNodeAllocatable: ["pods", "system-reserved"],
            systemReserved: ["memory": "1Gi", "cpu": "500m"],
            kubeReserved: ["cpu": "1", "memory": "2Gi"],
            systemReservedCgroup: "/system.slice",
            kubeReservedCgroup: "/kube.slice",
            evictionHard: ["memory.available": "100Mi", "nodefs.available": "10%"],
            cgroupDriver: "systemd",
            failSwapOn: false
        ))
    }

    @Test func booleanFlagDoesNotSwallowTheNextArgument() {
        let flags = KubeletFlags.parse(["kubelet", "--fail-swap-on", "--cgroup-driver", "cgroupfs"])
        #expect(flags.overrides.failSwapOn == true)
        #expect(flags.overrides.cgroupDriver == "cgroupfs")
    }

    @Test func emptyEnforceListAndLaterFlagsWin() {
        let flags = KubeletFlags.parse(["kubelet", "--enforce-node-allocatable=pods", "--enforce-node-allocatable=", "-cgroup-driver=a", "--cgroup-driver=b"])
        #expect(flags.overrides.enforceNodeAllocatable == [])
        #expect(flags.overrides.cgroupDriver == "b")
    }

    @Test func malformedValuesAreReportedNotLost() {
        let flags = KubeletFlags.parse(["kubelet", "--system-reserved=memory", "--eviction-hard=memory.available=1Gi", "--fail-swap-on=maybe", "--config"])
        #expect(flags.malformed == ["--system-reserved=memory", "--eviction-hard=memory.available=1Gi", "--fail-swap-on=maybe", "--config"])
        #expect(flags.overrides == KubeletSettings())
        #expect(flags.configPath == nil)
    }

    @Test func argumentsAfterDoubleDashAreNotFlags() {
        let flags = KubeletFlags.parse(["kubelet", "--", "--cgroup-driver=systemd"])
        #expect(flags.overrides.cgroupDriver == nil)
    }
}

@Suite struct KubeletConfigurationTests {
    @Test func defaultsWithoutAnySource() throws {
        let config = try KubeletConfiguration.resolve(file: nil)
        #expect(config == KubeletConfiguration(
            enforceNodeAllocatable: ["pods"],
            evictionHardMemoryAvailable: .bytes(100 * 1024 * 1024),
            cgroupDriver: "cgroupfs",
            failSwapOn: true
        ))
        #expect(!config.enforcesSystemReservedMemory)
        #expect(!config.enforcesKubeReservedMemory)
    }

    @Test func flagsWinOverTheFileFieldByField() throws {
        let file = KubeletSettings(
            enforceNodeAllocatable: ["pods", "system-reserved", "kube-reserved"],
            systemReserved: ["memory": "512Mi", "cpu": "500m"],
            kubeReserved: ["memory": "1Gi"],
            systemReservedCgroup: "/system.slice",
            kubeReservedCgroup: "kube.slice/",
            evictionHard: ["memory.available": "5%"],
            cgroupDriver: "systemd"
        )
        let flags = KubeletFlags.parse(["kubelet", "--system-reserved=cpu=1", "--enforce-node-allocatable=pods,system-reserved", "--cgroup-driver=cgroupfs"])
        let config = try KubeletConfiguration.resolve(file: file, flags: flags.overrides)
        // The --system-reserved flag replaces the whole map: no memory reservation remains.
        #expect(config.systemReservedMemoryBytes == nil)
        #expect(config.kubeReservedMemoryBytes == 1_073_741_824)
        #expect(config.enforceNodeAllocatable == ["pods", "system-reserved"])
        #expect(config.cgroupDriver == "cgroupfs")
        #expect(config.kubeReservedCgroup == "/kube.slice")
        #expect(config.systemReservedCgroup == "/system.slice")
        #expect(config.evictionHardMemoryAvailable == .percentage(5))
        #expect(config.fromFlags == ["enforceNodeAllocatable", "systemReserved", "cgroupDriver"])
        #expect(config.enforcesSystemReservedMemory)
        #expect(!config.enforcesKubeReservedMemory)
        #expect(config.enforcedMemoryLimit(onCgroup: "/system.slice")?.setting == .systemReserved)
        #expect(config.enforcedMemoryLimit(onCgroup: "/kube.slice") == nil)
    }

    @Test func fileValuesStandWhenNoFlagSetsThem() throws {
        let file = KubeletSettings(systemReserved: ["memory": "512Mi"], systemReservedCgroup: "/system.slice")
        let config = try KubeletConfiguration.resolve(file: file, flags: KubeletFlags.parse(["kubelet", "--v=4"]).overrides)
        #expect(config.systemReservedMemoryBytes == 536_870_912)
        #expect(config.fromFlags == [])
    }

    @Test func evictionHardWithoutMemorySignalHasNoMemoryThreshold() throws {
        let config = try KubeletConfiguration.resolve(file: KubeletSettings(evictionHard: ["nodefs.available": "10%"]))
        #expect(config.evictionHardMemoryAvailable == nil)
    }

    @Test func invalidQuantityNamesTheSetting() {
        #expect(throws: KubeletConfigurationError(field: "kubeReserved.memory", quantityError: QuantityError(input: "2Gb", reason: .unknownSuffix("Gb")))) {
            try KubeletConfiguration.resolve(file: KubeletSettings(kubeReserved: ["memory": "2Gb"]))
        }
        #expect(throws: KubeletConfigurationError(field: "evictionHard.memory.available", quantityError: QuantityError(input: "lots", reason: .invalidNumber))) {
            try KubeletConfiguration.resolve(file: nil, flags: KubeletSettings(evictionHard: ["memory.available": "lots"]))
        }
    }

    @Test func compressibleEnforcementDoesNotLimitMemory() throws {
        let config = try KubeletConfiguration.resolve(file: KubeletSettings(
            enforceNodeAllocatable: ["pods", "system-reserved-compressible"],
            systemReserved: ["memory": "512Mi"], systemReservedCgroup: "/system.slice"))
        #expect(!config.enforcesSystemReservedMemory)
        #expect(config.enforcedMemoryLimit(onCgroup: "/system.slice") == nil)
    }

    @Test func configurationRoundTripsThroughJSON() throws {
        let config = try KubeletConfiguration.resolve(file: KubeletSettings(systemReserved: ["memory": "1Gi"], evictionHard: ["memory.available": "5%"]))
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(KubeletConfiguration.self, from: data) == config)
    }
}

@Suite struct AllocatableTests {
    /// The "Example Scenario" of "Reserve Compute Resources for System Daemons": 32Gi node,
    /// kube-reserved 2Gi, system-reserved 1Gi, eviction-hard memory.available<500Mi → 28.5Gi.
    @Test func documentationExample() throws {
        let flags = KubeletFlags.parse([
            "kubelet", "--kube-reserved=cpu=1,memory=2Gi,ephemeral-storage=1Gi",
            "--system-reserved=cpu=500m,memory=1Gi,ephemeral-storage=1Gi",
            "--eviction-hard=memory.available<500Mi,nodefs.available<10%",
        ])
        let config = try KubeletConfiguration.resolve(file: nil, flags: flags.overrides)
        let allocatable = Allocatable.compute(capacity: 32 << 30, config: config)
        #expect(allocatable == Allocatable(
            capacityBytes: 34_359_738_368, kubeReservedBytes: 2_147_483_648, systemReservedBytes: 1_073_741_824,
            evictionHardBytes: 524_288_000, allocatableBytes: 30_614_224_896))
        // The documentation rounds 500Mi to 0.5Gi and says 28.5Gi: exact arithmetic is 12 MiB more.
        #expect(allocatable.allocatableBytes - Int64(28.5 * Double(1 << 30)) == 12 << 20)
    }

    @Test func percentageEvictionAndClampAtZero() throws {
        let config = KubeletConfiguration(systemReservedMemoryBytes: 1000, evictionHardMemoryAvailable: .percentage(10))
        #expect(Allocatable.compute(capacity: 10_000, config: config).allocatableBytes == 8_000)
        let huge = KubeletConfiguration(systemReservedMemoryBytes: Int64.max, kubeReservedMemoryBytes: Int64.max)
        #expect(Allocatable.compute(capacity: 10_000, config: huge).allocatableBytes == 0)
    }
}

import Foundation
