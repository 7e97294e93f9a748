import Foundation
import Glibc
import OOMWatchTestSupport
import Testing

/// A real Prometheus server (Debian's package) scraping the daemon on 127.0.0.1 with the shipped scrape
/// configuration and alerting rules.
@Suite("Real Prometheus scraping the daemon", .serialized,
       .enabled(if: RealKillEnvironment.available && Tools.available("prometheus"),
                "SKIPPED: needs \(RealKillEnvironment.problem ?? "the prometheus server (apt-get install prometheus)")"))
struct PrometheusScrapeTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Queries Prometheus' HTTP API; returns the raw JSON text.
    static func query(_ port: Int, _ expression: String) async throws -> String {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        return try await LoopbackClient.get(port: port, path: "/api/v1/query?query=\(encoded)").bodyText
    }

    static func waitFor(_ port: Int, _ expression: String, contains needle: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = (try? await query(port, expression)) ?? ""
            if last.contains(needle) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("\(expression) never contained \(needle) within \(timeout); last answer: \(last)")
        return last
    }

    @Test func prometheusScrapesKillsAndSlicesAndTheKillAlertFires() async throws {
        try await JournaldHarness.withJournald { _ in try await run() }
    }

    private func run() async throws {
        let node = try ScratchNode()
        defer { try? node.cgroups.cleanup() }
        let work = NSTemporaryDirectory() + "oomwatch-prom-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let daemon = try await DaemonProcess.start([
            "--state-dir", "\(work)/state", "--cgroup-hierarchy-prefix", node.cgroups.hierarchyPrefix, "--poll-interval", "1s",
        ])
        let view = DaemonView(daemon: daemon)
        try await view.waitUntilReady()

        // The shipped configuration, with only the target's port and the intervals changed for a test.
        let shipped = try String(contentsOf: Self.repository.appendingPathComponent("deploy/prometheus/prometheus-scrape.yaml"), encoding: .utf8)
        let config = shipped
            .replacingOccurrences(of: "127.0.0.1:9847", with: "127.0.0.1:\(daemon.port)")
            .replacingOccurrences(of: "scrape_interval: 5s", with: "scrape_interval: 1s")
            .replacingOccurrences(of: "evaluation_interval: 5s", with: "evaluation_interval: 1s")
            .replacingOccurrences(of: "scrape_timeout: 4s", with: "scrape_timeout: 900ms")
        #expect(config.contains("127.0.0.1:\(daemon.port)"), "the shipped config names the target to rewrite")
        try config.write(toFile: "\(work)/prometheus.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: Self.repository.appendingPathComponent("deploy/prometheus/oomwatch-rules.yaml").path, toPath: "\(work)/oomwatch-rules.yaml")
        let port = try FreePort.pick()
        let prometheus = try ChildProcess(try #require(Tools.path("prometheus")), [
            "--config.file=\(work)/prometheus.yaml", "--storage.tsdb.path=\(work)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ], outputPath: "\(work)/prometheus.log")
        defer { prometheus.kill() }

        _ = try await Self.waitFor(port, "up{job=\"oomwatch\"}", contains: "\"value\":[")
        let up = try await Self.waitFor(port, "up{job=\"oomwatch\"} == 1", contains: "\"1\"]")
        #expect(up.contains("127.0.0.1:\(daemon.port)"))

        // Slice gauges: system.slice's limit, as the daemon samples it.
        let limit = try await Self.waitFor(port, "oomwatch_cgroup_memory_limit_bytes{cgroup=\"/system.slice\"}", contains: "\(48 << 20)")
        #expect(limit.contains("\"owner_kind\":\"slice\""))

        // A first kill creates the pod's series at 1; a second one increases it: the alert fires.
        let allocator = try await TestAllocator.make()
        let first = try await allocator.runUntilKilled(named: "java", megabytes: 128, cgroupProcsFile: node.cgroups.procsFile(node.container))
        _ = try await view.waitForKill(pid: first.pid)
        _ = try await Self.waitFor(port, "oomwatch_oom_kills_total{pod=\"\(node.podUID)\"}", contains: "\"1\"]")
        let second = try await allocator.runUntilKilled(named: "java", megabytes: 128, cgroupProcsFile: node.cgroups.procsFile(node.container))
        _ = try await view.waitForKill(pid: second.pid)
        let counter = try await Self.waitFor(port, "oomwatch_oom_kills_total{pod=\"\(node.podUID)\"}", contains: "\"2\"]")
        #expect(counter.contains("\"constraint\":\"memcg\""))
        let alert = try await Self.waitFor(port, "ALERTS{alertname=\"OOMWatchPodOOMKilled\",alertstate=\"firing\"}", contains: "\"pod\":\"\(node.podUID)\"")
        #expect(alert.contains("\"severity\":\"warning\""))
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }
}
