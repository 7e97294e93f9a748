/// Renders the node status page (`GET /`): one self-contained HTML document with inline CSS and
/// server-side SVG charts; no JavaScript, no external assets. Every text that comes from the kernel,
/// cgroup names or the kubelet is escaped.
public enum StatusPageRenderer {
    /// The page for `snapshot`.
    public static func html(_ snapshot: StatusSnapshot) -> String {
        let host = HTMLText.escape(snapshot.hostname)
        var out = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        if snapshot.refreshSeconds > 0 { out += "<meta http-equiv=\"refresh\" content=\"\(snapshot.refreshSeconds)\">" }
        out += "<title>oomwatch · \(host)</title><style>\(StatusPageStyle.css)</style></head>\n<body><main>\n"
        out += header(snapshot)
        out += nodeCards(snapshot)
        out += charts(snapshot)
        out += "<div class=\"columns\">" + alerts(snapshot) + findings(snapshot) + "</div>\n"
        out += kills(snapshot)
        out += "<footer>JSON and metrics: <a href=\"/events\">/events</a><a href=\"/history?cgroup=/system.slice\">/history</a>"
        out += "<a href=\"/metrics\">/metrics</a><a href=\"/readyz\">/readyz</a></footer>\n"
        out += "</main></body></html>\n"
        return out
    }

    // MARK: sections

    static func header(_ s: StatusSnapshot) -> String {
        var out = "<header><h1>oomwatch <span class=\"host\">\(HTMLText.escape(s.hostname))</span></h1>"
        out += s.ready ? "<span class=\"pill\" id=\"readiness\">ready</span>" : "<span class=\"pill bad\" id=\"readiness\">not ready</span>"
        out += "<span class=\"meta\">\(utc(s.generatedAtMicros)) · oomwatch \(HTMLText.escape(s.version)) · charts: last \(RelativeTime.span(s.windowSeconds))"
        if s.refreshSeconds > 0 { out += " · refreshes every \(s.refreshSeconds) s" }
        out += "</span></header>\n"
        if !s.ready && !s.readinessProblems.isEmpty {
            out += "<p class=\"meta\" id=\"readiness-problems\">" + s.readinessProblems.map(HTMLText.escape).joined(separator: "<br>") + "</p>\n"
        }
        return out
    }

    static func nodeCards(_ s: StatusSnapshot) -> String {
        var out = "<section class=\"cards\" id=\"node\">"
        out += card("Capacity", s.capacityBytes.map(bytes) ?? "unknown", s.capacityBytes == nil ? "no poll of /proc/meminfo yet" : "node memory (MemTotal)")
        if let a = s.allocatable {
            var parts: [String] = []
            if a.kubeReservedBytes > 0 { parts.append("kube-reserved \(bytes(a.kubeReservedBytes))") }
            if a.systemReservedBytes > 0 { parts.append("system-reserved \(bytes(a.systemReservedBytes))") }
            if a.evictionHardBytes > 0 { parts.append("eviction \(bytes(a.evictionHardBytes))") }
            out += card("Allocatable", bytes(a.allocatableBytes), parts.isEmpty ? "nothing reserved" : parts.joined(separator: " · "))
        } else {
            let why = !s.diagnosed ? "no diagnosis yet" : (s.kubeletConfigurationFound ? "not computed" : "no kubelet configuration found: not a Kubernetes node?")
            out += card("Allocatable", "n/a", why)
        }
        if let node = s.nodeSample {
            let share = s.capacityBytes.flatMap { $0 > 0 ? Double(node.workingSetBytes) / Double($0) : nil }
            out += card("In use (working set)", bytes(node.workingSetBytes),
                        (share.map { MemoryText.percent($0) + " of capacity · " } ?? "") + "usage \(bytes(node.usageBytes))")
        } else {
            out += card("In use (working set)", "unknown", "no sample of the root cgroup yet")
        }
        let recentNote = s.totalKills == 0 ? "none recorded" : (s.recentKills.first.map { "last " + RelativeTime.text(micros: $0.realtimeMicros, now: s.generatedAtMicros) } ?? "")
        out += card("OOM kills", String(s.totalKills), recentNote)
        out += "</section>\n"
        return out
    }

    static func card(_ label: String, _ value: String, _ detail: String) -> String {
        "<div class=\"card\"><div class=\"label\">\(HTMLText.escape(label))</div><div class=\"value\">\(HTMLText.escape(value))</div><div class=\"detail\">\(HTMLText.escape(detail))</div></div>"
    }

    static func charts(_ s: StatusSnapshot) -> String {
        var out = "<h2>Memory over the last \(RelativeTime.span(s.windowSeconds))</h2>\n<section class=\"charts\" id=\"charts\">\n"
        let now = s.generatedAtMicros / 1_000_000
        for slice in s.slices {
            let id = "chart-" + slice.name.map { $0.isLetter || $0.isNumber ? $0 : "-" }.map(String.init).joined()
            guard let path = slice.path, let history = slice.history else {
                out += "<article class=\"chart-card empty\" id=\"\(HTMLText.escape(id))\"><h3>\(HTMLText.escape(slice.name))</h3>"
                out += "<p class=\"note empty-state\">\(HTMLText.escape(missingSliceNote(slice.name)))</p></article>\n"
                continue
            }
            out += "<article class=\"chart-card\" id=\"\(HTMLText.escape(id))\"><h3>\(HTMLText.escape(slice.name))<span class=\"path\">\(HTMLText.escape(path))</span></h3>"
            guard let latest = history.points.last else {
                out += "<p class=\"note empty-state\">No samples in the window yet.</p></article>\n"
                continue
            }
            out += "<p class=\"now\">" + nowLine(latest, history: history) + "</p>"
            out += SVGChart(history: history, nowSeconds: now).svg(title: "\(slice.name) memory over the last \(RelativeTime.span(s.windowSeconds))")
            out += "<p class=\"legend\"><span class=\"key usage\"></span>usage<span class=\"key working-set\"></span>working set<span class=\"key limit\"></span>limit</p>"
            out += "</article>\n"
        }
        out += "</section>\n"
        return out
    }

    static func missingSliceNote(_ name: String) -> String {
        name == "kubepods"
            ? "No kubepods cgroup on this node: Kubernetes is not running here, or its pods live under another cgroup root."
            : "No \(name) cgroup on this node."
    }

    /// `working set 1.2 GiB of 2 GiB (60%) · usage 1.4 GiB · peak 1.5 GiB`.
    static func nowLine(_ latest: HistoryQueryPoint, history: HistoryQueryResult) -> String {
        var out = "working set <b>\(bytes(latest.workingSetBytes))</b>"
        if let limit = latest.limitBytes, limit > 0 {
            let share = Double(latest.workingSetBytes) / Double(limit)
            let heat = share >= 0.9 ? "hot" : (share >= 0.75 ? "warm" : "")
            let percent = MemoryText.percent(share)
            out += " of <b>\(bytes(limit))</b> (" + (heat.isEmpty ? percent : "<span class=\"\(heat)\">\(percent)</span>") + ")"
        } else {
            out += ", no limit"
        }
        let peak = history.points.map { $0.usageMaxBytes ?? $0.usageBytes }.max() ?? latest.usageBytes
        out += " · usage \(bytes(latest.usageBytes)) · peak \(bytes(peak))"
        return out
    }

    static func alerts(_ s: StatusSnapshot) -> String {
        var out = "<section class=\"panel\" id=\"alerts\"><h2>Active alerts</h2>"
        if s.alerts.isEmpty {
            out += "<p class=\"empty-state\">No active alerts.</p>"
        } else {
            out += "<ul class=\"alerts\">"
            for alert in s.alerts {
                let since = RelativeTime.text(micros: Int64(alert.since.timeIntervalSince1970 * 1_000_000), now: s.generatedAtMicros)
                out += "<li class=\"alert \(alert.severity.rawValue)\"><span class=\"sev \(alert.severity.rawValue)\">\(alert.severity.rawValue)</span>"
                out += "<b>\(HTMLText.escape(alert.name.rawValue))</b> on <code>\(HTMLText.escape(alert.subject))</code> "
                out += "<span class=\"state\">\(alert.state.rawValue) since \(since)</span><br>\(HTMLText.escape(alert.summary))</li>"
            }
            out += "</ul>"
        }
        return out + "</section>"
    }

    static func findings(_ s: StatusSnapshot) -> String {
        var out = "<section class=\"panel\" id=\"findings\"><h2>Findings</h2>"
        if !s.diagnosed {
            out += "<p class=\"empty-state\">No diagnosis yet.</p>"
        } else if s.findings.isEmpty {
            out += "<p class=\"empty-state\">No findings: the node's memory configuration looks sound.</p>"
        } else {
            for finding in s.findings {
                out += "<details class=\"finding \(finding.severity.rawValue)\"\(finding.severity >= .warning ? " open" : "")><summary>"
                out += "<span class=\"sev \(finding.severity.rawValue)\">\(finding.severity.rawValue)</span>\(HTMLText.escape(finding.title))</summary>"
                if !finding.evidence.isEmpty {
                    out += "<ul>" + finding.evidence.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>"
                }
                out += "<p class=\"fix\"><b>Fix:</b> \(HTMLText.escape(finding.fix))</p></details>"
            }
        }
        return out + "</section>"
    }

    static func kills(_ s: StatusSnapshot) -> String {
        var out = "<h2>Recent OOM kills</h2>\n<section id=\"kills\">"
        guard !s.recentKills.isEmpty else {
            return out + "<p class=\"empty-state\">No OOM kills recorded since the daemon started reading this boot's kernel log.</p></section>\n"
        }
        out += "<table><thead><tr><th>Time</th><th>Victim</th><th>Owner</th><th>RSS</th><th>Limit hit</th></tr></thead><tbody>"
        for kill in s.recentKills {
            out += "<tr class=\"kill\"><td class=\"time\">\(kill.realtimeMicros > 0 ? utc(kill.realtimeMicros) : "unknown")"
            out += "<span class=\"ago\">\(RelativeTime.text(micros: kill.realtimeMicros, now: s.generatedAtMicros))</span></td>"
            out += "<td><code>\(HTMLText.escape(kill.comm))</code> (\(kill.pid))</td>"
            out += "<td class=\"owner\" title=\"\(HTMLText.escape(kill.owner))\">\(HTMLText.escape(kill.compactOwner))</td>"
            out += "<td class=\"num\">\(HTMLText.escape(kill.rssText))</td>"
            out += "<td class=\"limit\"\(kill.limitCgroup.map { " title=\"\(HTMLText.escape($0))\"" } ?? "")>\(HTMLText.escape(kill.limitText))</td></tr>"
        }
        out += "</tbody></table>"
        if s.totalKills > s.recentKills.count {
            out += "<p class=\"meta\">\(s.recentKills.count) most recent of \(s.totalKills); all of them: <a href=\"/events?type=oom_kill\">/events?type=oom_kill</a></p>"
        }
        return out + "</section>\n"
    }

    // MARK: formatting

    static func bytes(_ value: Int64) -> String { MemoryText.bytes(value) }
    static func bytes(_ value: UInt64) -> String { MemoryText.bytes(Int64(clamping: value)) }

    /// `2026-11-23 11:49:10 UTC`.
    public static func utc(_ micros: Int64) -> String {
        let iso = NodeEvent.iso8601(micros)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8)) + " UTC"
    }
}
