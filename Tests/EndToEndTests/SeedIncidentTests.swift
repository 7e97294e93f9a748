import Foundation
import Glibc
import OOMWatchCore
import OOMWatchTestSupport
import Testing

/// The incident oomwatch exists for, recreated for real: kubelet's enforceNodeAllocatable caps
/// system.slice at 512 MiB, haproxy is OOM-killed inside it, a pod's container is killed at its limit.
@Suite("Seed incident: system.slice capped by kubelet", .serialized, .enabled(if: RealKillEnvironment.available, RealKillEnvironment.reason))
struct SeedIncidentTests {
    @Test func diagnoseAlertsAndEventsNameTheCause() async throws {
        try await JournaldHarness.withJournald { _ in try await run() }
    }

    private func run() async throws {
        let cgroups = try ScratchCgroup(label: "seed")
        defer { try? cgroups.cleanup() }
        let uid = UUID().uuidString.lowercased()
        let containerID = (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined()
        let container = "kubepods/burstable/pod\(uid)/\(containerID)"
        try cgroups.create(container)
        try cgroups.setLimit(container, bytes: 32 << 20)
        try cgroups.create("system.slice/haproxy.service")
        try cgroups.create("system.slice/systemd-resolved.service")
        try cgroups.setLimit("system.slice", bytes: 512 << 20)

        // kubelet's view: its configuration enforcing system-reserved on /system.slice, and its log
        // directories naming the pod and its container.
        let work = NSTemporaryDirectory() + "oomwatch-seed-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let podDir = "\(work)/pods/shop_web-7d4f9_\(uid)"
        try FileManager.default.createDirectory(atPath: "\(podDir)/nginx", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(podDir)/nginx/0.log", contents: Data())
        try FileManager.default.createDirectory(atPath: "\(work)/containers", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(work)/containers/web-7d4f9_shop_nginx-\(containerID).log", withDestinationPath: "\(podDir)/nginx/0.log")
        let kubeletConfig = "\(work)/kubelet-config.yaml"
        try """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            cgroupDriver: cgroupfs
            enforceNodeAllocatable: [pods, system-reserved, kube-reserved]
            systemReservedCgroup: /system.slice
            kubeReservedCgroup: /kube.slice
            systemReserved:
              memory: 512Mi
            kubeReserved:
              memory: 1Gi
            evictionHard:
              memory.available: 100Mi
            """.write(toFile: kubeletConfig, atomically: true, encoding: .utf8)

        let paths = [
            "--cgroup-hierarchy-prefix", cgroups.hierarchyPrefix, "--kubelet-config", kubeletConfig,
            "--pod-log-dir", "\(work)/pods", "--container-log-dir", "\(work)/containers",
        ]
        let daemon = try await DaemonProcess.start(paths + [
            "--state-dir", "\(work)/state", "--poll-interval", "250ms", "--pressure-alert-for", "1s",
        ])
        let view = DaemonView(daemon: daemon)
        try await view.waitUntilReady()

        let allocator = try await TestAllocator.make()
        // haproxy grows past what system.slice may hold: the kernel kills it at system.slice's limit.
        let haproxy = try await allocator.runUntilKilled(named: "haproxy", megabytes: 640, cgroupProcsFile: cgroups.procsFile("system.slice/haproxy.service"))
        #expect(haproxy.exit == .signaled(SIGKILL))
        // A container over its own limit.
        let nginx = try await allocator.runUntilKilled(named: "nginx", megabytes: 128, cgroupProcsFile: cgroups.procsFile(container))
        #expect(nginx.exit == .signaled(SIGKILL))
        // systemd-resolved then keeps system.slice at 92 % of its limit: pressure.
        let resolved = try await allocator.spawn(megabytes: 470, cgroupProcsFile: cgroups.procsFile("system.slice/systemd-resolved.service"))
        defer { resolved.kill() }

        let (unitKill, _) = try await view.waitForKill(pid: haproxy.pid)
        #expect(unitKill.owner == .systemdUnit(slice: "system.slice", unit: "haproxy.service"))
        #expect(unitKill.limitCgroup == cgroups.hierarchyPrefix + "/system.slice")
        let (podKill, _) = try await view.waitForKill(pid: nginx.pid)
        guard case .pod(let ref) = podKill.owner else {
            Issue.record("pod kill owner: \(podKill.owner)")
            return
        }
        #expect(ref.namespace == "shop")
        #expect(ref.podName == "web-7d4f9")
        #expect(ref.containerName == "nginx")
        #expect(ref.qos == .burstable)
        #expect(try await view.metric("oomwatch_oom_kills_total", ["namespace": "shop", "pod": "web-7d4f9", "container": "nginx"]) == 1)

        // /alerts: the pressure on system.slice and its too-small limit.
        // Pressure fires after its for-duration (1 s here); the limit alert comes from the finding.
        let deadline = ContinuousClock.now + .seconds(20)
        var pressureFiring = false
        while ContinuousClock.now < deadline, !pressureFiring {
            pressureFiring = try await view.metric("oomwatch_alert_active", ["alert": "SliceMemoryPressure", "subject": "system.slice"]) == 1
            if !pressureFiring { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(pressureFiring, "SliceMemoryPressure fires on system.slice at 92 % of its limit")
        let alerts = try await LoopbackClient.get(port: daemon.port, path: "/alerts").bodyText
        #expect(alerts.contains("\"name\":\"SliceMemoryPressure\""), "\(alerts)")
        #expect(alerts.contains("\"name\":\"SystemSliceLimitTooSmall\""), "\(alerts)")
        let alertEvents = try await LoopbackClient.get(port: daemon.port, path: "/events?type=alert").bodyText
        #expect(alertEvents.contains("\"kind\":\"firing\""), "alert firing is an event: \(alertEvents.prefix(500))")

        // /diagnose names the cause first.
        let diagnose = try await LoopbackClient.get(port: daemon.port, path: "/diagnose?format=text").bodyText
        let firstLine = diagnose.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix("CRITICAL: system.slice is capped at 512 MiB"), "\(diagnose)")
        #expect(firstLine.contains("enforceNodeAllocatable [pods, system-reserved, kube-reserved]"))
        #expect(firstLine.contains("haproxy.service"))
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")

        // The one-shot command, no daemon: the same first line, exit code 1 for a critical finding.
        let result = try await Blocking.run {
            try Tools.run(BuildProducts.executable("oomwatch").path, ["diagnose"] + paths + ["--window", "10m"])
        }
        let first = result.output.split(separator: "\n").first { $0.hasPrefix("CRITICAL") || $0.hasPrefix("WARNING") }.map(String.init) ?? ""
        #expect(result.status == 1, "\(result.output)")
        #expect(first.hasPrefix("CRITICAL: system.slice is capped at 512 MiB"), "\(result.output)")
        #expect(first.contains("haproxy.service"), "\(result.output)")
        print("oomwatch diagnose, first line: \(first)")
    }
}
