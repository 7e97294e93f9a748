import CSystemd
import Glibc

/// Talks to the service manager through `sd_notify` (a no-op when not started by systemd with
/// `Type=notify`): readiness, stopping, status text and watchdog keep-alives.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether systemd asked for notifications (`NOTIFY_SOCKET` is set).
    public var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`), if enabled for this process.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// `READY=1` with a status line.
    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    /// `STOPPING=1`.
    public func stopping() { send("STOPPING=1\nSTATUS=shutting down") }
    /// `STATUS=...`.
    public func status(_ text: String) { send("STATUS=\(text)") }
    /// `WATCHDOG=1`.
    public func watchdogPing() { send("WATCHDOG=1") }

    private func send(_ message: String) {
        guard isEnabled else { return }
        // Newlines in a status would start a new assignment: keep each value on one line.
        _ = sd_notify(0, message)
    }
}
