/// The node rebooted without a clean shutdown record, or with kernel errors before it went down.
public struct NodeReboot: Sendable, Hashable, Codable {
    /// The boot that ended.
    public var previousBootID: String
    /// Its last journal entry (wall clock, µs since the epoch).
    public var previousBootLastRealtimeMicros: Int64
    /// The boot now running, and when it started (first journal entry).
    public var currentBootID: String
    public var currentBootFirstRealtimeMicros: Int64?
    /// Whether a clean shutdown (systemd shutdown target, journald stop, kernel reboot line) was recorded.
    public var cleanShutdownRecorded: Bool
    /// The last kernel errors (BUG, Oops, panic) of the previous boot, oldest first.
    public var lastKernelErrors: [String]

    public init(previous summary: PreviousBootSummary) {
        previousBootID = summary.bootID
        previousBootLastRealtimeMicros = summary.lastRealtimeMicros
        currentBootID = summary.currentBootID
        currentBootFirstRealtimeMicros = summary.currentBootFirstRealtimeMicros
        cleanShutdownRecorded = summary.endedCleanly
        lastKernelErrors = summary.kernelErrors.map { ProcessName(bytes: $0.message).display }
    }

    /// One line for people: why this counts as an unexpected reboot.
    public var summary: String {
        let cause = lastKernelErrors.last.map { "last kernel error: \($0)" } ?? "no kernel error recorded"
        let shutdown = cleanShutdownRecorded ? "after a shutdown record" : "without a clean shutdown record"
        return "node rebooted \(shutdown) (\(cause))"
    }
}
