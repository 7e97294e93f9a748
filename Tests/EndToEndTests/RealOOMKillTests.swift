import Foundation
import Glibc
import OOMWatchCore
import OOMWatchTestSupport
import Testing

/// What the real-kill tests need: root, a writable cgroup v1 memory hierarchy, journald and a C compiler.
enum RealKillEnvironment {
    static var problem: String? {
        if geteuid() != 0 { return "needs root (cgroups, /dev/kmsg, journald)" }
        if !ScratchCgroup.isAvailable() { return "no writable cgroup v1 memory hierarchy at \(ScratchCgroup.defaultMemoryRoot)" }
        if !JournaldHarness.isAvailable { return JournaldHarness.unavailableReason }
        if !Tools.available("cc") { return "no C compiler (cc) for the test allocator" }
        return nil
    }
    static var available: Bool { problem == nil }
    static var reason: Comment { "SKIPPED: real OOM-kill tests \(problem ?? "")" }
}

/// A node laid out under a throwaway cgroup: a burstable pod's container and system.slice/haproxy.service,
/// with system.slice capped the way kubelet's enforceNodeAllocatable caps it.
struct ScratchNode {
    let cgroups: ScratchCgroup
    let podUID = UUID().uuidString.lowercased()
    let containerID = (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined()
    var container: String { "kubepods/burstable/pod\(podUID)/\(containerID)" }
    let service = "system.slice/haproxy.service"

    init() throws {
        cgroups = try ScratchCgroup(label: "node")
        try cgroups.create(container)
        try cgroups.setLimit(container, bytes: 32 << 20)
        try cgroups.create(service)
        try cgroups.setLimit("system.slice", bytes: 48 << 20)
    }

    /// The kernel's name for a cgroup of this node.
    func kernelPath(_ relative: String) -> String { cgroups.hierarchyPrefix + "/" + relative }
}

/// Reads what a running daemon serves.
struct DaemonView {
    let daemon: DaemonProcess

    struct EventsBody: Decodable {
        let count: Int
        let events: [NodeEvent]
    }

    func kills(limit: Int = 1000) async throws -> [OOMKill] {
        let response = try await LoopbackClient.get(port: daemon.port, path: "/events?type=oom_kill&limit=\(limit)")
        guard response.status == 200 else { throw LoopbackClient.Failure(description: "/events: \(response.status) \(response.bodyText)") }
        return try DaemonJSON.decoder().decode(EventsBody.self, from: Data(response.body)).events.compactMap {
            if case .oomKill(let kill) = $0.payload { kill } else { nil }
        }
    }

    func killEvents() async throws -> [NodeEvent] {
        let response = try await LoopbackClient.get(port: daemon.port, path: "/events?type=oom_kill&limit=1000")
        return try DaemonJSON.decoder().decode(EventsBody.self, from: Data(response.body)).events
    }

    /// Polls `/events` until the kill of `pid` shows up; returns it and when it was first seen.
    func waitForKill(pid: Int32, timeout: Duration = .seconds(10)) async throws -> (kill: OOMKill, seenMonotonicMicros: Int64) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let kill = try await kills(limit: 20).first(where: { $0.victim.pid == Int(pid) }) {
                return (kill, Monotonic.micros())
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw LoopbackClient.Failure(description: "kill of pid \(pid) not in /events within \(timeout); log: \(daemon.log.suffix(3000))")
    }

    func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            let response = try await LoopbackClient.get(port: daemon.port, path: "/readyz")
            if response.status == 200 { return }
            last = response.bodyText
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LoopbackClient.Failure(description: "not ready within \(timeout): \(last)")
    }

    /// The sum of every series of `metric`.
    /// Polls `/readyz` until its body contains `text`; returns the last body and whether it did.
    func waitForReadyz(containing text: String, timeout: Duration = .seconds(30)) async throws -> (found: Bool, body: String) {
        let deadline = ContinuousClock.now + timeout
        var body = ""
        while true {
            body = try await LoopbackClient.get(port: daemon.port, path: "/readyz").bodyText
            if body.contains(text) { return (true, body) }
            if ContinuousClock.now >= deadline { return (false, body) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Both kernel sources are read: the journal, and /dev/kmsg as the fast path beside it.
    func expectBothSourcesLive() async throws {
        let ready = try await LoopbackClient.get(port: daemon.port, path: "/readyz").bodyText
        #expect(ready.contains("kmsg-fast-path: ready - reading /dev/kmsg live beside the journal"), "\(ready)")
        #expect(try await metric("oomwatch_kernel_source_up", ["source": "journal"]) == 1)
        #expect(try await metric("oomwatch_kernel_source_up", ["source": "kmsg"]) == 1)
    }

    func metricSum(_ metric: String) async throws -> Double {
        let text = try await LoopbackClient.get(port: daemon.port, path: "/metrics").bodyText
        return text.split(separator: "\n").filter { $0.hasPrefix(metric + "{") || $0.hasPrefix(metric + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// The value of the first series of `metric` whose labels contain every `label="value"` given.
    func metric(_ metric: String, _ labels: [String: String]) async throws -> Double? {
        let text = try await LoopbackClient.get(port: daemon.port, path: "/metrics").bodyText
        for line in text.split(separator: "\n") where line.hasPrefix(metric + "{") {
            guard labels.allSatisfy({ line.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }
}

enum Monotonic {
    static func micros() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1_000
    }
}

@Suite("Real OOM kills, real journald, the real daemon", .serialized, .enabled(if: RealKillEnvironment.available, RealKillEnvironment.reason))
struct RealOOMKillTests {
    @Test func podAndSystemSliceKillsAreServedWithOwnersWithinOneSecond() async throws {
        try await JournaldHarness.withJournald { _ in try await runPodAndSystemSliceKillsAreServedWithOwnersWithinOneSecond() }
    }

    private func runPodAndSystemSliceKillsAreServedWithOwnersWithinOneSecond() async throws {
        let node = try ScratchNode()
        defer { try? node.cgroups.cleanup() }
        let stateDir = NSTemporaryDirectory() + "oomwatch-e2e-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let daemon = try await DaemonProcess.start([
            "--state-dir", stateDir, "--cgroup-hierarchy-prefix", node.cgroups.hierarchyPrefix, "--poll-interval", "500ms",
        ])
        let view = DaemonView(daemon: daemon)
        try await view.waitUntilReady()
        let allocator = try await TestAllocator.make()

        // A container over its limit: "Memory cgroup out of memory", exit 137.
        let (javaPID, javaExit) = try await allocator.runUntilKilled(
            named: "java", megabytes: 128, cgroupProcsFile: node.cgroups.procsFile(node.container))
        #expect(javaExit == .signaled(SIGKILL), "the kernel's OOM killer ends the allocator")
        let (pod, podSeen) = try await view.waitForKill(pid: javaPID)
        let podLatency = podSeen - (pod.monotonicMicros ?? 0)
        print("detection latency, pod kill: \(Double(podLatency) / 1000) ms")
        #expect(podLatency < 1_000_000, "served within 1 s of the kernel's kill line")
        #expect(pod.victim.comm.display == "java")
        #expect(pod.constraint == .memcg)
        #expect(pod.taskCgroup == node.kernelPath(node.container))
        #expect(pod.limitCgroup == node.kernelPath(node.container))
        #expect((pod.victim.anonRssKB ?? 0) > 16 * 1024, "the victim's RSS is reported")
        #expect(pod.bootID != nil && pod.realtimeMicros != nil)
        guard case .pod(let ref) = pod.owner else {
            Issue.record("owner should be a pod: \(pod.owner)")
            return
        }
        #expect(ref.podUID == node.podUID)
        #expect(ref.containerID == node.containerID)
        #expect(ref.qos == .burstable)
        #expect(try await view.metric("oomwatch_oom_kills_total", ["owner_kind": "pod", "pod": node.podUID, "qos": "burstable", "constraint": "memcg"]) == 1)
        let metricLatency = Monotonic.micros() - (pod.monotonicMicros ?? 0)
        #expect(metricLatency < 1_000_000, "counted in /metrics within 1 s of the kernel's kill line: \(Double(metricLatency) / 1000) ms")

        // A unit inside system.slice, killed because system.slice's own limit was hit.
        let (haproxyPID, haproxyExit) = try await allocator.runUntilKilled(
            named: "haproxy", megabytes: 128, cgroupProcsFile: node.cgroups.procsFile(node.service))
        #expect(haproxyExit == .signaled(SIGKILL))
        let (unit, unitSeen) = try await view.waitForKill(pid: haproxyPID)
        print("detection latency, system.slice kill: \(Double(unitSeen - (unit.monotonicMicros ?? 0)) / 1000) ms")
        #expect(unitSeen - (unit.monotonicMicros ?? 0) < 1_000_000)
        #expect(unit.victim.comm.display == "haproxy")
        #expect(unit.limitCgroup == node.kernelPath("system.slice"), "oom_memcg names system.slice, whose limit was hit")
        #expect(unit.taskCgroup == node.kernelPath(node.service))
        #expect(unit.owner == .systemdUnit(slice: "system.slice", unit: "haproxy.service"))
        #expect(unit.limitOwner == .slice("system.slice"))
        #expect(try await view.metric("oomwatch_oom_kills_total", ["owner_kind": "unit", "unit": "haproxy.service", "slice": "system.slice"]) == 1)
        #expect(Monotonic.micros() - (unit.monotonicMicros ?? 0) < 1_000_000, "counted in /metrics within 1 s")
        #expect(try await view.metric("oomwatch_oom_kills_by_limit_total", ["limit_cgroup": node.kernelPath("system.slice")]) == 1)

        // The slice and the pod are sampled too.
        #expect(try await view.metric("oomwatch_cgroup_memory_limit_bytes", ["cgroup": "/system.slice"]) == Double(48 << 20))
        let history = try await LoopbackClient.get(port: daemon.port, path: "/history?cgroup=system.slice&window=5m")
        #expect(history.status == 200, "\(history.bodyText)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    /// Both sources live (the default) in both runs: the restart in the middle neither loses nor duplicates a kill.
    @Test func killsBeforeDuringAndAfterARestartAreReportedOnceAndCountedOnce() async throws {
        try await JournaldHarness.withJournald { _ in try await runKillsBeforeDuringAndAfterARestartAreReportedOnceAndCountedOnce() }
    }

    private func runKillsBeforeDuringAndAfterARestartAreReportedOnceAndCountedOnce() async throws {
        let node = try ScratchNode()
        defer { try? node.cgroups.cleanup() }
        let stateDir = NSTemporaryDirectory() + "oomwatch-e2e-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let arguments = ["--state-dir", stateDir, "--cgroup-hierarchy-prefix", node.cgroups.hierarchyPrefix]
        let allocator = try await TestAllocator.make()
        let procs = node.cgroups.procsFile(node.container)
        let podLabels = ["owner_kind": "pod", "pod": node.podUID]

        let first = try await DaemonProcess.start(arguments)
        let firstView = DaemonView(daemon: first)
        try await firstView.waitUntilReady()
        try await firstView.expectBothSourcesLive()
        let before = try await allocator.runUntilKilled(named: "worker-before", megabytes: 128, cgroupProcsFile: procs)
        _ = try await firstView.waitForKill(pid: before.pid)
        #expect(try await firstView.metric("oomwatch_oom_kills_total", podLabels) == 1)
        #expect(await first.stop() == 0, "\(first.log.suffix(3000))")

        let during = try await allocator.runUntilKilled(named: "worker-during", megabytes: 128, cgroupProcsFile: procs)
        #expect(during.exit == .signaled(SIGKILL))
        // journald takes a moment to store the kill lines of a kill nobody is watching.
        try await Task.sleep(for: .milliseconds(300))

        let second = try await DaemonProcess.start(arguments)
        let secondView = DaemonView(daemon: second)
        try await secondView.waitUntilReady()
        try await secondView.expectBothSourcesLive()
        let after = try await allocator.runUntilKilled(named: "worker-after", megabytes: 128, cgroupProcsFile: procs)
        _ = try await secondView.waitForKill(pid: after.pid)

        let served = try await secondView.killEvents()
        func events(of pid: Int32) -> [NodeEvent] {
            served.filter { if case .oomKill(let kill) = $0.payload { kill.victim.pid == Int(pid) } else { false } }
        }
        #expect(events(of: before.pid).count == 1, "the kill before the restart is listed once")
        #expect(events(of: during.pid).count == 1, "the kill while the daemon was down is listed once")
        #expect(events(of: after.pid).count == 1, "the kill after the restart is listed once")
        #expect(events(of: before.pid).first?.replayed == true, "counted by the first run: replayed, not counted again")
        #expect(events(of: during.pid).first?.replayed == false, "never counted before: counted now")
        #expect(events(of: after.pid).first?.replayed == false)
        #expect(try await secondView.metric("oomwatch_oom_kills_total", podLabels) == 2,
                "the second run counts the kill made while it was down and the one after, not the one before")
        #expect(await second.stop() == 0, "\(second.log.suffix(3000))")
    }
}
