#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchCore

/// The daemon's HTTP routes over its shared parts.
enum Routes {
    struct Context: Sendable {
        let metrics: DaemonMetrics
        let readiness: Readiness
        let node: NodeState
    }

    static func make(_ context: Context) -> Router {
        var router = Router()
        router.get("/healthz") { _ in .text("ok") }
        router.get("/readyz") { _ in
            let report = context.readiness.report()
            let body = ([report.ready ? "ready" : "not ready"] + report.lines).joined(separator: "\n")
            return .text(body, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics", largeBody: true) { _ in
            HTTPResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: context.metrics.exposition())
        }
        router.get("/events", largeBody: true) { request in events(request, node: context.node) }
        router.get("/history", largeBody: true) { request in history(request, node: context.node) }
        router.get("/alerts") { _ in
            struct Body: Encodable {
                let count: Int
                let alerts: [Alert]
            }
            let alerts = context.node.activeAlerts
            return json(Body(count: alerts.count, alerts: alerts))
        }
        router.get("/diagnose", largeBody: true) { request in
            guard let report = context.node.diagnosis else {
                var response = json(["error": "no diagnosis yet: the first cgroup poll has not completed"])
                response.status = .serviceUnavailable
                return response
            }
            if request.query["format"] == "text" {
                return .text(DiagnosisReportRenderer.text(report))
            }
            return json(report)
        }
        router.get("/", largeBody: true) { request in StatusPageRoute.response(request, node: context.node, readiness: context.readiness) }
        return router
    }

    static let encoder = DaemonJSON.encoder()

    static func json<T: Encodable>(_ value: T) -> HTTPResponse {
        do {
            return .json(Array(try encoder.encode(value)))
        } catch {
            return .text("cannot encode the response: \(error)", status: .internalServerError)
        }
    }

    static func badRequest(_ message: String) -> HTTPResponse {
        var response = json(["error": message])
        response.status = .badRequest
        return response
    }

    /// `GET /events?since=&limit=&type=`: recent kills and other events, newest first.
    static func events(_ request: HTTPRequest, node: NodeState) -> HTTPResponse {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let query: EventQuery
        do {
            query = try EventQuery(parameters: request.query, nowMicros: now)
        } catch {
            return badRequest(error.description)
        }
        struct Body: Encodable {
            let count: Int
            let events: [NodeEvent]
        }
        let selected = node.events(query)
        return json(Body(count: selected.count, events: selected))
    }

    /// `GET /history?cgroup=system.slice&window=1h`: the rolling history of one tracked cgroup.
    static func history(_ request: HTTPRequest, node: NodeState) -> HTTPResponse {
        guard let raw = request.query["cgroup"], !raw.isEmpty else {
            return badRequest("missing cgroup, e.g. /history?cgroup=system.slice&window=1h; tracked: \(node.historyPaths.prefix(20).joined(separator: " "))")
        }
        let cgroup = raw.hasPrefix("/") ? raw : "/" + raw
        var windowSeconds: Int64 = 3600
        if let text = request.query["window"] {
            guard let duration = try? DurationText.parse(text), duration > .zero else {
                return badRequest("invalid window=\(text.prefix(50)): expected a duration such as 15m, 1h, 24h")
            }
            windowSeconds = min(max(duration.components.seconds, 1), 7 * 86_400)
        }
        let now = Int64(Date().timeIntervalSince1970)
        guard let result = node.history(cgroup: cgroup, windowSeconds: windowSeconds, nowSeconds: now) else {
            var response = json(["error": "no history for cgroup \(Router.printable(cgroup))"])
            response.status = .notFound
            return response
        }
        return json(result)
    }
}
