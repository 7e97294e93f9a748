import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// oomwatch (release binary, on a node-sized cgroup fixture tree on tmpfs) and Debian's
/// `prometheus-node-exporter` with its defaults, started side by side on 127.0.0.1 for one benchmark.
final class SideBySide {
    let oomwatch: BenchProcess
    let nodeExporter: BenchProcess
    let oomwatchPort: Int
    let nodeExporterPort: Int
    let treeRoot: String
    let cgroups: Int
    /// Moves the pods' and containers' usage (steady state calls it every 5 s).
    var churn: FixtureChurn
    private let scratch: String

    init(pods: Int, containersPerPod: Int, workDir: String, pollInterval: String, podPollInterval: String) throws {
        scratch = workDir + "/oomwatch-side-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try CgroupPollBenchmark.makeDir(scratch)
        treeRoot = scratch + "/cgroup"
        let relative = try CgroupPollBenchmark.buildTree(root: treeRoot, pods: pods, containersPerPod: containersPerPod)
        cgroups = relative.count + 1
        churn = FixtureChurn(root: treeRoot, relative: relative)
        try CgroupPollBenchmark.makeDir(scratch + "/state")
        // An empty journal: a node whose journal holds no OOM history. This machine's own journal is full of
        // the test suite's thousands of real kills, which the daemon would replay into its event log.
        try CgroupPollBenchmark.makeDir(scratch + "/journal")
        oomwatchPort = try BenchNet.freePort()
        nodeExporterPort = try BenchNet.freePort()
        oomwatch = try BenchProcess(name: "oomwatch", try BenchNet.oomwatchBinary(), [
            "run", "--listen", "127.0.0.1:\(oomwatchPort)", "--cgroup-root", treeRoot, "--state-dir", scratch + "/state",
            "--journal-directory", scratch + "/journal",
            "--poll-interval", pollInterval, "--pod-poll-interval", podPollInterval, "--oom-score-adj", "1000",
        ], logPath: scratch + "/oomwatch.log")
        nodeExporter = try BenchProcess(name: "node_exporter", try BenchNet.tool("prometheus-node-exporter"), [
            "--web.listen-address=127.0.0.1:\(nodeExporterPort)",
        ], logPath: scratch + "/node-exporter.log")
        try waitUntilServing(oomwatch, port: oomwatchPort, path: "/readyz")
        try waitUntilServing(nodeExporter, port: nodeExporterPort, path: "/metrics")
        // oomwatch's first full poll of the tree (its /metrics then carries every cgroup).
        let deadline = BenchNet.monotonicSeconds() + 30
        while BenchNet.monotonicSeconds() < deadline {
            if let page = BenchNet.get(port: oomwatchPort, path: "/metrics"), page.bytes > cgroups * 100 { break }
            usleep(200_000)
        }
    }

    deinit {
        oomwatch.stop()
        nodeExporter.stop()
        CgroupPollBenchmark.removeTree(scratch)
    }

    private func waitUntilServing(_ process: BenchProcess, port: Int, path: String) throws {
        let deadline = BenchNet.monotonicSeconds() + 60
        while BenchNet.monotonicSeconds() < deadline {
            guard process.isRunning else { throw BenchProcess.Failure(description: "\(process.name) ended: \(process.log.suffix(2000))") }
            if let response = BenchNet.get(port: port, path: path, timeoutSeconds: 2), response.status == 200 { return }
            usleep(100_000)
        }
        throw BenchProcess.Failure(description: "\(process.name) did not serve \(path) within 60 s: \(process.log.suffix(2000))")
    }

    var targets: [(name: String, process: BenchProcess, port: Int)] {
        [("oomwatch", oomwatch, oomwatchPort), ("node_exporter", nodeExporter, nodeExporterPort)]
    }
}

/// Steady state: both daemons idle except for a scrape every `scrapeSeconds`, for `seconds`.
enum SteadyStateBenchmark {
    static func run(seconds: Int, scrapeSeconds: Int, pods: Int, containersPerPod: Int, workDir: String, podPollInterval: String) throws -> BenchReport {
        let pair = try SideBySide(pods: pods, containersPerPod: containersPerPod, workDir: workDir, pollInterval: "5s", podPollInterval: podPollInterval)
        struct Figures {
            var rssStart = 0, rssEnd = 0, rssMax = 0, anonymousEnd = 0, fileEnd = 0, ticksStart = 0, ticksEnd = 0
            var scrapes: [Double] = []
            var bytes = 0
            var failed = 0
        }
        var figures = [Figures(), Figures()]
        for (i, target) in pair.targets.enumerated() {
            figures[i].rssStart = target.process.residentBytes
            figures[i].ticksStart = target.process.cpuTicks
        }
        let start = BenchNet.monotonicSeconds()
        var nextScrape = start
        var nextChurn = start
        var churnSteps = 0, churnFailures = 0
        while true {
            let now = BenchNet.monotonicSeconds()
            if now - start >= Double(seconds) { break }
            if now >= nextChurn {
                churnFailures += pair.churn.step()
                churnSteps += 1
                nextChurn += 5
            }
            if now >= nextScrape {
                for (i, target) in pair.targets.enumerated() {
                    if let page = BenchNet.get(port: target.port, path: "/metrics"), page.status == 200 {
                        figures[i].scrapes.append(page.seconds)
                        figures[i].bytes = page.bytes
                    } else {
                        figures[i].failed += 1
                    }
                    figures[i].rssMax = max(figures[i].rssMax, target.process.residentBytes)
                }
                nextScrape += Double(scrapeSeconds)
            }
            usleep(UInt32(max(10_000, min(500_000, (min(nextScrape, nextChurn, start + Double(seconds)) - BenchNet.monotonicSeconds()) * 1e6))))
        }
        let elapsed = BenchNet.monotonicSeconds() - start
        for (i, target) in pair.targets.enumerated() {
            guard target.process.isRunning else { throw BenchProcess.Failure(description: "\(target.name) ended during the run: \(target.process.log.suffix(1500))") }
            figures[i].rssEnd = target.process.residentBytes
            (figures[i].anonymousEnd, figures[i].fileEnd) = target.process.residentSplit
            figures[i].ticksEnd = target.process.cpuTicks
            figures[i].rssMax = max(figures[i].rssMax, figures[i].rssEnd)
        }
        func cpuPercent(_ f: Figures) -> Double { Double(f.ticksEnd - f.ticksStart) / ProcFigures.ticksPerSecond / elapsed * 100 }
        func cpuPerMinute(_ f: Figures) -> Double { Double(f.ticksEnd - f.ticksStart) / ProcFigures.ticksPerSecond / elapsed * 60 }
        func scrape(_ f: Figures) -> String {
            guard !f.scrapes.isEmpty else { return "-" }
            let sorted = f.scrapes.sorted()
            return String(format: "median %.1f ms, max %.1f ms", sorted[sorted.count / 2] * 1000, sorted.last! * 1000)
        }
        var detail = "steady state: \(String(format: "%.0f", elapsed)) s, oomwatch polling \(pair.cgroups) cgroups (\(pods) pods × \(containersPerPod) containers, v1 fixture on \(workDir)) every 5 s, pods every \(podPollInterval); both scraped every \(scrapeSeconds) s\n"
        detail += "fixture: usage of \(pair.churn.count) pods and containers moved \(churnSteps) times (every 5 s, UsageWalk), \(churnFailures) files not replaced\n"
        detail += "process         RSS start    RSS end      RSS max      CPU % of one core  CPU s/min  scrape latency                  /metrics size  failed scrapes\n"
        for (i, target) in pair.targets.enumerated() {
            let f = figures[i]
            detail += target.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                + BenchNet.mib(f.rssStart).padding(toLength: 13, withPad: " ", startingAt: 0)
                + BenchNet.mib(f.rssEnd).padding(toLength: 13, withPad: " ", startingAt: 0)
                + BenchNet.mib(f.rssMax).padding(toLength: 13, withPad: " ", startingAt: 0)
                + String(format: "%-19.3f%-11.3f", cpuPercent(f), cpuPerMinute(f))
                + scrape(f).padding(toLength: 32, withPad: " ", startingAt: 0)
                + "\(f.bytes / 1024) KiB".padding(toLength: 15, withPad: " ", startingAt: 0) + "\(f.failed)\n"
        }
        let o = figures[0], n = figures[1]
        let rows = [
            BenchReport.Row(benchmark: "steady-state", metric: "RSS at end (max)", oomwatch: "\(BenchNet.mib(o.rssEnd)) (\(BenchNet.mib(o.rssMax)))",
                            reference: "node_exporter \(BenchNet.mib(n.rssEnd)) (\(BenchNet.mib(n.rssMax)))",
                            comparison: String(format: "%.2f× node_exporter at end; target < 1", Double(o.rssEnd) / Double(max(n.rssEnd, 1)))),
            BenchReport.Row(benchmark: "steady-state", metric: "RSS at end: anon + file", oomwatch: "\(BenchNet.mib(o.anonymousEnd)) + \(BenchNet.mib(o.fileEnd))",
                            reference: "node_exporter \(BenchNet.mib(n.anonymousEnd)) + \(BenchNet.mib(n.fileEnd))",
                            comparison: "file: code and constant data mapped"),
            BenchReport.Row(benchmark: "steady-state", metric: "CPU, % of one core", oomwatch: String(format: "%.3f %%", cpuPercent(o)),
                            reference: String(format: "node_exporter %.3f %%", cpuPercent(n)),
                            comparison: String(format: "target < 1 %%; %.2f CPU-s/min", cpuPerMinute(o))),
            BenchReport.Row(benchmark: "steady-state", metric: "/metrics scrape", oomwatch: "\(scrape(o)), \(o.bytes / 1024) KiB",
                            reference: "node_exporter \(scrape(n)), \(n.bytes / 1024) KiB", comparison: "\(o.failed + n.failed) failed scrapes"),
        ]
        return BenchReport(detail: detail, rows: rows)
    }
}

/// `/metrics` under load with wrk at several connection counts, against both daemons in the same run.
enum HTTPLoadBenchmark {
    struct WrkResult { var requestsPerSecond = 0.0; var p99 = "-"; var errors = 0; var non2xx = 0; var requests = 0 }

    static func run(seconds: Int, connections: [Int], pods: Int, containersPerPod: Int, workDir: String, podPollInterval: String) throws -> BenchReport {
        let wrk = try BenchNet.tool("wrk")
        let pair = try SideBySide(pods: pods, containersPerPod: containersPerPod, workDir: workDir, pollInterval: "5s", podPollInterval: podPollInterval)
        var detail = "/metrics under load: wrk, \(seconds) s per step, loopback; oomwatch with \(pair.cgroups) cgroups\n"
        detail += "target          conns  req/s        p99          requests  errors  non-2xx  RSS before   RSS max      RSS settled\n"
        var rows: [BenchReport.Row] = []
        var results: [String: [Int: (result: WrkResult, rss: RSSFigures)]] = [:]
        var firstBefore: [String: Int] = [:]
        var lastSettled: [String: Int] = [:]
        for c in connections {
            for target in pair.targets {
                var rss = RSSFigures(before: target.process.residentBytes)
                firstBefore[target.name] = firstBefore[target.name] ?? rss.before
                let result = try runWrk(wrk, port: target.port, connections: c, seconds: seconds, scratch: workDir) {
                    rss.max = max(rss.max, target.process.residentBytes)
                }
                guard target.process.isRunning else { throw BenchProcess.Failure(description: "\(target.name) ended under load") }
                // Settled: once the answers in flight are gone and a poll has run since (5 s).
                sleep(UInt32(settleSeconds))
                rss.settled = target.process.residentBytes
                lastSettled[target.name] = rss.settled
                results[target.name, default: [:]][c] = (result, rss)
                detail += target.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "%-7d%-13.0f", c, result.requestsPerSecond) + result.p99.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + String(format: "%-10d%-8d%-9d", result.requests, result.errors, result.non2xx)
                    + BenchNet.mib(rss.before).padding(toLength: 13, withPad: " ", startingAt: 0)
                    + BenchNet.mib(rss.max).padding(toLength: 13, withPad: " ", startingAt: 0) + BenchNet.mib(rss.settled) + "\n"
            }
            if let o = results["oomwatch"]?[c], let n = results["node_exporter"]?[c] {
                rows.append(BenchReport.Row(
                    benchmark: "http-load", metric: "/metrics, \(c) conn, \(seconds) s",
                    oomwatch: String(format: "%.0f req/s", o.result.requestsPerSecond) + ", p99 \(o.result.p99), RSS \(o.rss)",
                    reference: String(format: "node_exporter %.0f req/s", n.result.requestsPerSecond) + ", p99 \(n.result.p99), RSS \(n.rss)",
                    comparison: String(format: "%.1f× req/s; errors %d/%d", o.result.requestsPerSecond / max(n.result.requestsPerSecond, 0.001),
                                       o.result.errors + o.result.non2xx, n.result.errors + n.result.non2xx)))
            }
        }
        if let ob = firstBefore["oomwatch"], let oa = lastSettled["oomwatch"], let nb = firstBefore["node_exporter"], let na = lastSettled["node_exporter"] {
            rows.append(BenchReport.Row(
                benchmark: "http-load", metric: "RSS before all steps → settled after",
                oomwatch: "\(BenchNet.mib(ob)) → \(BenchNet.mib(oa))", reference: "node_exporter \(BenchNet.mib(nb)) → \(BenchNet.mib(na))",
                comparison: String(format: "growth %+.1f MiB / %+.1f MiB", Double(oa - ob) / 1_048_576, Double(na - nb) / 1_048_576)))
        }
        return BenchReport(detail: detail, rows: rows)
    }

    /// Seconds after a load step before its settled RSS is read.
    static let settleSeconds = 6

    /// A daemon's RSS around one load step: before it, the highest sample during it (every 100 ms), and
    /// `settleSeconds` after it.
    struct RSSFigures: CustomStringConvertible {
        var before: Int
        var max: Int
        var settled = 0
        init(before: Int) {
            self.before = before
            max = before
        }
        var description: String { "\(BenchNet.mib(before)) → max \(BenchNet.mib(max)) → \(BenchNet.mib(settled))" }
    }

    /// Runs wrk against `port`'s `/metrics`, calling `whileRunning` every 100 ms until it ends.
    static func runWrk(_ wrk: String, port: Int, connections: Int, seconds: Int, scratch: String, whileRunning: () -> Void = {}) throws -> WrkResult {
        let out = scratch + "/oomwatch-wrk-\(getpid()).txt"
        defer { unlink(out) }
        let process = try BenchProcess(name: "wrk", wrk, [
            "-t", String(min(2, connections)), "-c", String(connections), "-d", "\(seconds)s", "--latency", "--timeout", "5s",
            "http://127.0.0.1:\(port)/metrics",
        ], logPath: out)
        while process.isRunning {
            whileRunning()
            usleep(100_000)
        }
        return parse(process.log)
    }

    /// Reads wrk's text report.
    static func parse(_ text: String) -> WrkResult {
        var result = WrkResult()
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), words.count > 1 { result.requestsPerSecond = Double(words[1]) ?? 0 }
            if line.hasPrefix("99%"), words.count > 1 { result.p99 = String(words[1]) }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let n = words.last.flatMap({ Int($0) }) { result.non2xx = n }
            if line.hasPrefix("Socket errors:") {
                // Socket errors: connect 0, read 0, write 0, timeout 0
                result.errors = words.compactMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ","))) }.reduce(0, +)
            }
            if line.contains("requests in"), let n = words.first.flatMap({ Int($0) }) { result.requests = n }
        }
        return result
    }
}
