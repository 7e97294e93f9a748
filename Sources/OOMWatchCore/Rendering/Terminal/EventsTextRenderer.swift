/// Renders `/events` for `oomwatch events`: a table fitted to the terminal, newest first, with
/// relative times and human byte sizes.
public enum EventsTextRenderer {
    /// The table of `events` as seen at `nowMicros`, at most `width` columns wide.
    public static func render(_ events: [NodeEvent], nowMicros: Int64, width: Int) -> String {
        guard !events.isEmpty else { return "No events recorded (OOM kills, kernel errors, unexpected reboots).\n" }
        var table = TerminalTable(columns: [
            .init("WHEN"),
            .init("EVENT", dropPriority: 3),
            .init("VICTIM", flexible: true, minimumWidth: 10),
            .init("OWNER", flexible: true, minimumWidth: 14),
            .init("RSS", alignment: .right, dropPriority: 2),
            .init("LIMIT HIT", flexible: true, minimumWidth: 12, truncatesFront: true, dropPriority: 1),
        ])
        for event in events {
            let when = RelativeTime.text(micros: event.realtimeMicros, now: nowMicros)
            switch event.payload {
            case .oomKill:
                guard let row = KillRow(event) else { continue }
                table.append([when, "oom-kill", row.victim, row.compactOwner, row.rssText, row.limitText])
            case .kernelError(let error):
                table.append([when, "kernel", "-", error.message, "-", "-"])
            case .nodeReboot(let reboot):
                table.append([when, "reboot", "-", reboot.summary, "-", "-"])
            case .alert(let transition):
                let alert = transition.alert
                table.append([when, "alert \(transition.kind.rawValue)", alert.name.rawValue, "\(alert.subject): \(alert.summary)", "-", alert.severity.rawValue])
            }
        }
        return table.render(width: width)
    }
}
