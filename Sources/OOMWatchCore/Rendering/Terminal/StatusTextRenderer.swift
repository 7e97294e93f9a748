/// Renders a `StatusReport` for `oomwatch status`: the daemon and node, the slices against their
/// limits, active alerts, findings and the latest kills, each fitted to the terminal width.
public enum StatusTextRenderer {
    /// The report as seen at `nowMicros`, at most `width` columns wide.
    public static func render(_ report: StatusReport, nowMicros: Int64, width: Int) -> String {
        var out = ""
        func line(_ text: String) { out += TerminalText.truncate(TerminalText.sanitize(text), to: width) + "\n" }

        line("oomwatch \(report.server)  \(report.ready ? "ready" : "NOT READY")")
        if !report.ready {
            for problem in report.readiness where problem.contains("not ready") { line("  " + problem) }
        }
        var node = "node capacity " + (report.capacityBytes.map { MemoryText.bytes($0) } ?? "unknown")
        if let allocatable = report.allocatable {
            node += ", allocatable \(MemoryText.bytes(allocatable.allocatableBytes))"
            var reserved: [String] = []
            if allocatable.kubeReservedBytes > 0 { reserved.append("kube-reserved \(MemoryText.bytes(allocatable.kubeReservedBytes))") }
            if allocatable.systemReservedBytes > 0 { reserved.append("system-reserved \(MemoryText.bytes(allocatable.systemReservedBytes))") }
            if allocatable.evictionHardBytes > 0 { reserved.append("eviction \(MemoryText.bytes(allocatable.evictionHardBytes))") }
            if !reserved.isEmpty { node += " (" + reserved.joined(separator: ", ") + ")" }
        } else {
            node += ", allocatable unknown"
        }
        line(node)

        out += "\n"
        out += slices(report, width: width)
        out += "\n"
        out += alerts(report, nowMicros: nowMicros, width: width)
        out += findings(report, width: width)
        out += "\n"
        out += kills(report, nowMicros: nowMicros, width: width)
        return out
    }

    static func slices(_ report: StatusReport, width: Int) -> String {
        let present = report.slices.filter { $0.workingSetBytes != nil }
        let absent = report.slices.filter { $0.workingSetBytes == nil }
        var out = ""
        if !present.isEmpty {
            let window = RelativeTime.span(present.first?.windowSeconds ?? 3600)
            var table = TerminalTable(columns: [
                .init("SLICE", flexible: true, minimumWidth: 10),
                .init("WORKING SET", alignment: .right),
                .init("LIMIT", alignment: .right),
                .init("USED", alignment: .right),
                .init("USAGE", alignment: .right, dropPriority: 2),
                .init("PEAK \(window)", alignment: .right, dropPriority: 1),
            ])
            for slice in present {
                table.append([
                    slice.name,
                    bytes(slice.workingSetBytes),
                    slice.limitBytes.map { MemoryText.bytes(Int64(clamping: $0)) } ?? "none",
                    slice.limitShare.map(MemoryText.percent) ?? "-",
                    bytes(slice.usageBytes),
                    bytes(slice.peakUsageBytes),
                ])
            }
            out += table.render(width: width)
        }
        if !absent.isEmpty {
            out += TerminalText.truncate("not on this node: " + absent.map(\.name).joined(separator: ", "), to: width) + "\n"
        }
        return out
    }

    static func alerts(_ report: StatusReport, nowMicros: Int64, width: Int) -> String {
        guard let active = report.alerts else { return "alerts: not served by this daemon\n" }
        // Firing alerts are the answer; pending ones (conditions still inside their for-duration) are counted.
        let alerts = active.filter { $0.state == .firing }
        let pending = active.count - alerts.count
        let pendingNote = pending > 0 ? " (\(pending) pending)" : ""
        guard !alerts.isEmpty else { return "alerts: none firing\(pendingNote)\n" }
        var table = TerminalTable(columns: [
            .init("SEVERITY"),
            .init("ALERT"),
            .init("SUBJECT", flexible: true, minimumWidth: 10),
            .init("STATE", dropPriority: 2),
            .init("SINCE", dropPriority: 1),
            .init("SUMMARY", flexible: true, minimumWidth: 12, dropPriority: 3),
        ])
        for alert in alerts {
            let since = RelativeTime.text(micros: Int64((alert.since.timeIntervalSince1970 * 1_000_000).rounded()), now: nowMicros)
            table.append([alert.severity.rawValue, alert.name.rawValue, alert.subject, alert.state.rawValue, since, alert.summary])
        }
        return "ALERTS FIRING\(pendingNote)\n" + table.render(width: width)
    }

    static func findings(_ report: StatusReport, width: Int) -> String {
        guard let findings = report.findings else { return "findings: no diagnosis from this daemon\n" }
        guard !findings.isEmpty else { return "findings: none\n" }
        var table = TerminalTable(columns: [
            .init("SEVERITY"),
            .init("SUBJECT", flexible: true, minimumWidth: 10, dropPriority: 1),
            .init("FINDING", flexible: true, minimumWidth: 20),
        ])
        for finding in findings { table.append([finding.severity.rawValue, finding.subject, finding.title]) }
        return "\nFINDINGS\n" + table.render(width: width)
    }

    static func kills(_ report: StatusReport, nowMicros: Int64, width: Int) -> String {
        guard !report.recentKills.isEmpty else { return "recent OOM kills: none\n" }
        let heading = report.totalKills > report.recentKills.count
            ? "RECENT OOM KILLS (\(report.recentKills.count) of \(report.totalKills), newest first)"
            : "RECENT OOM KILLS (newest first)"
        var table = TerminalTable(columns: [
            .init("WHEN"),
            .init("VICTIM", flexible: true, minimumWidth: 10),
            .init("OWNER", flexible: true, minimumWidth: 14),
            .init("RSS", alignment: .right, dropPriority: 2),
            .init("LIMIT HIT", flexible: true, minimumWidth: 12, truncatesFront: true, dropPriority: 1),
        ])
        for kill in report.recentKills {
            table.append([RelativeTime.text(micros: kill.realtimeMicros, now: nowMicros), kill.victim, kill.compactOwner, kill.rssText, kill.limitText])
        }
        return TerminalText.truncate(heading, to: width) + "\n" + table.render(width: width)
    }

    private static func bytes(_ value: UInt64?) -> String { value.map { MemoryText.bytes(Int64(clamping: $0)) } ?? "-" }
}
