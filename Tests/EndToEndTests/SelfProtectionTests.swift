import Foundation
import OOMWatchTestSupport
import Testing

/// The daemon's own survival: its oom_score_adj, and staying up when its own memory cap is reached.
@Suite("Self-protection: oom_score_adj and its own memory cap",
       .enabled(if: Tools.isRoot, "SKIPPED: needs root (lowering oom_score_adj needs CAP_SYS_RESOURCE; scratch cgroups)"))
struct SelfProtectionTests {
    static func stateDir() -> String { NSTemporaryDirectory() + "oomwatch-state-\(UUID().uuidString)" }

    static let capabilityReason = "SKIPPED: this process lacks CAP_SYS_RESOURCE (dropped by the sandbox even for root), "
        + "so no process here can go below oom_score_adj 0; the lowering and keeping logic is still tested above 0"

    @Test(.enabled(if: Tools.hasCapSysResource, Comment(rawValue: capabilityReason)))
    func lowersItsOwnOOMScoreAdjTo900ByDefault() async throws {
        // Start from 0 whatever the test runner inherited.
        let daemon = try await DaemonProcess.start(["--state-dir", Self.stateDir()], shellPrefix: "echo 0 > /proc/self/oom_score_adj")
        #expect(ProcessFigures.oomScoreAdj(pid: daemon.process.pid) == -900)
        #expect(daemon.log.contains("oom_score_adj lowered from 0 to -900"), "\(daemon.log)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    @Test(.enabled(if: Tools.hasCapSysResource, Comment(rawValue: capabilityReason)))
    func keepsALowerInheritedValueLikeKubeletsMinus997() async throws {
        let daemon = try await DaemonProcess.start(["--state-dir", Self.stateDir()], shellPrefix: "echo -997 > /proc/self/oom_score_adj")
        #expect(ProcessFigures.oomScoreAdj(pid: daemon.process.pid) == -997)
        #expect(daemon.log.contains("oom_score_adj kept at -997 (already at or below -900)"), "\(daemon.log)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    // Without CAP_SYS_RESOURCE a process may still lower its value down to its inherited minimum (0 here)
    // and raise it freely: the same lower/keep paths, exercised on every machine.

    @Test func lowersTheValueThroughTheOptionWithinWhatIsPermitted() async throws {
        let daemon = try await DaemonProcess.start(["--state-dir", Self.stateDir(), "--oom-score-adj", "300"],
                                                   shellPrefix: "echo 800 > /proc/self/oom_score_adj")
        #expect(ProcessFigures.oomScoreAdj(pid: daemon.process.pid) == 300)
        #expect(daemon.log.contains("oom_score_adj lowered from 800 to 300"), "\(daemon.log)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    @Test func keepsAnInheritedValueLowerThanTheTarget() async throws {
        let daemon = try await DaemonProcess.start(["--state-dir", Self.stateDir(), "--oom-score-adj", "300"],
                                                   shellPrefix: "echo 200 > /proc/self/oom_score_adj")
        #expect(ProcessFigures.oomScoreAdj(pid: daemon.process.pid) == 200)
        #expect(daemon.log.contains("oom_score_adj kept at 200 (already at or below 300)"), "\(daemon.log)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    @Test func environmentVariableSetsTheTarget() async throws {
        let daemon = try await DaemonProcess.start(["--state-dir", Self.stateDir()], environment: ["OOMWATCH_OOM_SCORE_ADJ": "-1"],
                                                   shellPrefix: "echo 900 > /proc/self/oom_score_adj")
        let expected = Tools.hasCapSysResource ? -1 : 900
        #expect(ProcessFigures.oomScoreAdj(pid: daemon.process.pid) == expected, "-1 is below the minimum 0 without CAP_SYS_RESOURCE: refused")
        #expect(daemon.log.contains(Tools.hasCapSysResource ? "lowered from 900 to -1" : "could not be set to -1 (current 900)"), "\(daemon.log)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    @Test(.enabled(if: Tools.available("setpriv"), "SKIPPED: setpriv (util-linux) not installed"))
    func withoutCapSysResourceItWarnsAndKeepsServing() async throws {
        let daemon = try await DaemonProcess.start(
            ["--state-dir", Self.stateDir()], shellPrefix: "echo 0 > /proc/self/oom_score_adj",
            execWrapper: "setpriv --inh-caps=-sys_resource --bounding-set=-sys_resource")
        #expect(ProcessFigures.oomScoreAdj(pid: daemon.process.pid) == 0)
        #expect(daemon.log.contains("oom_score_adj could not be set to -900 (current 0): write: Permission denied"), "\(daemon.log)")
        #expect(try await LoopbackClient.get(port: daemon.port, path: "/healthz").status == 200)
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    /// Runs the daemon inside a scratch memory cgroup capped a little above its measured footprint,
    /// hammers /metrics and /events with many connections and checks it is alive, answering and never
    /// OOM-killed. Prints the figures.
    @Test(.enabled(if: ScratchCgroup.isAvailable(), "SKIPPED: no writable cgroup v1 memory hierarchy"))
    func keepsWorkingAtItsOwnMemoryCap() async throws {
        let cgroup = try ScratchCgroup(label: "self-cap")
        defer { try? cgroup.cleanup() }
        let daemon = try await DaemonProcess.start(["--state-dir", Self.stateDir()], shellPrefix: "echo $$ > \(cgroup.procsFile(""))")
        // Warm up every route once so the steady footprint is what gets measured.
        for path in ["/metrics", "/events", "/readyz", "/"] { _ = try await LoopbackClient.get(port: daemon.port, path: path) }
        try await Task.sleep(for: .seconds(1))
        let usage = try Int(#require(readNumber(cgroup.absolute("") + "/memory.usage_in_bytes")))
        let rss = try #require(daemon.residentBytes)
        // 8 MiB above the resting charge: well under the ~30 MiB of shared-library pages in its VmRSS that
        // are charged elsewhere, and the measured peak under this load is ~2 MiB above rest (release).
        let cap = usage + 8 << 20
        try cgroup.setLimit("", bytes: UInt64(cap))

        let port = daemon.port
        let workers = 64
        let requestsPerWorker = 40
        let started = ContinuousClock.now
        let outcomes = await withTaskGroup(of: (ok: Int, failed: Int).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    await Blocking.run {
                        var ok = 0, failed = 0
                        for request in 0..<requestsPerWorker {
                            guard let client = try? LoopbackClient(port: port) else { failed += 1; continue }
                            let path = (worker + request) % 2 == 0 ? "/metrics" : "/events?limit=1000"
                            // Several pipelined requests per connection, responses read back.
                            client.send(String(repeating: "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n", count: 4))
                            for _ in 0..<4 {
                                if let response = try? client.readResponse(timeout: .seconds(10)), response.status == 200 { ok += 1 } else { failed += 1 }
                            }
                        }
                        return (ok, failed)
                    }
                }
            }
            var total = (ok: 0, failed: 0)
            for await outcome in group { total.ok += outcome.ok; total.failed += outcome.failed }
            return total
        }
        let elapsed = ContinuousClock.now - started
        let oomControl = (try? String(contentsOfFile: cgroup.absolute("") + "/memory.oom_control", encoding: .utf8)) ?? ""
        let failcnt = readNumber(cgroup.absolute("") + "/memory.failcnt") ?? -1
        let maxUsage = readNumber(cgroup.absolute("") + "/memory.max_usage_in_bytes") ?? -1
        let rssAfter = daemon.residentBytes
        print("""
            self-cap: RSS before \(rss / 1024) KiB, cgroup usage before \(usage / 1024) KiB, cap \(cap / 1024) KiB; \
            \(outcomes.ok) responses 200, \(outcomes.failed) failed in \(elapsed); max usage \(maxUsage / 1024) KiB, \
            failcnt \(failcnt), RSS after \((rssAfter ?? 0) / 1024) KiB; oom_control: \(oomControl.split(separator: "\n").joined(separator: ", "))
            """)
        #expect(daemon.process.isRunning, "the daemon died at its memory cap: \(daemon.log.suffix(2000))")
        #expect(oomControl.contains("oom_kill 0"), "no task of the daemon's cgroup may be OOM-killed: \(oomControl)")
        #expect(try await LoopbackClient.get(port: port, path: "/healthz").status == 200)
        #expect(try await LoopbackClient.get(port: port, path: "/metrics").status == 200)
        #expect(outcomes.ok > workers * requestsPerWorker * 4 * 9 / 10, "most requests are served: \(outcomes)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    func readNumber(_ path: String) -> Int? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
