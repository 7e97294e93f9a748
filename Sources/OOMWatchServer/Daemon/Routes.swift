import OOMWatchCore

/// The daemon's HTTP routes over its shared parts.
enum Routes {
    static func make(metrics: DaemonMetrics, readiness: Readiness) -> Router {
        var router = Router()
        router.get("/healthz") { _ in .text("ok") }
        router.get("/readyz") { _ in
            let report = readiness.report()
            let body = ([report.ready ? "ready" : "not ready"] + report.lines).joined(separator: "\n")
            return .text(body, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _ in
            HTTPResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
        }
        let endpoints = ["/metrics", "/healthz", "/readyz"]
        router.get("/") { _ in
            let links = endpoints.map { "<li><a href=\"\($0)\">\($0)</a></li>" }.joined()
            let html = """
                <!doctype html><html><head><meta charset="utf-8"><title>oomwatch</title></head>
                <body><h1>oomwatch \(BuildInfo.version)</h1><p>Node memory and OOM-kill monitor.</p><ul>\(links)</ul></body></html>
                """
            return HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: Array(html.utf8))
        }
        return router
    }
}
