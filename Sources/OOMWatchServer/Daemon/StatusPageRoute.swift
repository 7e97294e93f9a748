#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import OOMWatchCore

/// `GET /` (and `/?window=6h`): the status page for people, built from the node state.
enum StatusPageRoute {
    /// Kills listed in the page's table.
    static let killRows = 15

    static func response(_ request: HTTPRequest, node: NodeState, readiness: Readiness) -> HTTPResponse {
        var windowSeconds: Int64 = 3600
        if let text = request.query["window"], !text.isEmpty {
            guard let duration = try? DurationText.parse(text), duration > .zero else {
                return .text("invalid window=\(Router.printable(String(text.prefix(50)))): expected a duration such as 15m, 1h, 24h", status: .badRequest)
            }
            windowSeconds = min(max(duration.components.seconds, 60), 86_400)
        }
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let page = StatusPageRenderer.html(snapshot(node: node, readiness: readiness, nowMicros: now, windowSeconds: windowSeconds, hostname: hostname()))
        var response = HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
        response.headers.add(name: "Cache-Control", value: "no-store")
        return response
    }

    /// The page's data at `nowMicros`.
    static func snapshot(node: NodeState, readiness: Readiness, nowMicros: Int64, windowSeconds: Int64, hostname: String) -> StatusSnapshot {
        let nowSeconds = nowMicros / 1_000_000
        // A handful of charted slices: ask the history for each candidate path (nil when not tracked) rather
        // than sorting every tracked path (3,000 at 1,000 pods) on each page view.
        let slices = StatusSnapshot.chartedSlices.map { entry -> StatusSnapshot.Slice in
            for path in entry.paths {
                if let history = node.history(cgroup: path, windowSeconds: windowSeconds, nowSeconds: nowSeconds) {
                    return .init(name: entry.name, path: path, history: history)
                }
            }
            return .init(name: entry.name, path: nil, history: nil)
        }
        let latest = node.latestNodeMemory
        let diagnosis = node.diagnosis
        // Counted up to the query's maximum; only the rows shown are rendered.
        let killEvents = node.events(EventQuery(limit: EventQuery.maximumLimit, kinds: [.oomKill]))
        let report = readiness.report()
        let capacity = latest?.meminfo.map { Int64(clamping: $0.memTotalBytes) } ?? diagnosis?.capacityBytes
        return StatusSnapshot(
            hostname: hostname, version: BuildInfo.version, generatedAtMicros: nowMicros, windowSeconds: windowSeconds, refreshSeconds: 15,
            capacityBytes: capacity, nodeSample: latest?.rootSample, allocatable: diagnosis?.allocatable,
            diagnosed: diagnosis != nil, kubeletConfigurationFound: diagnosis?.kubeletConfigurationFound ?? false,
            ready: report.ready, readinessProblems: report.lines.filter { $0.contains(": not ready") },
            slices: slices, alerts: node.activeAlerts, findings: diagnosis?.findings ?? [],
            recentKills: killEvents.prefix(killRows).compactMap { KillRow($0) }, totalKills: killEvents.count)
    }

    /// This host's name (`gethostname`), or `localhost` when it cannot be read.
    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
