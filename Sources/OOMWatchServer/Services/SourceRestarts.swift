import OOMWatchAdapters

/// When to start a kernel-log source again after it ended by itself (a read error, a reader thread that
/// could not start): after 1 s, doubling up to 30 s. A run that lasted `healthyRun` or longer starts the
/// count over. Without it a source that fails at once was restarted at once, again and again.
struct SourceRestarts: Sendable {
    /// A run at least this long was healthy: the next failure waits 1 s again.
    static let healthyRun: Duration = .seconds(60)
    private let policy = RetryBackoff(initialSeconds: 1, maximumSeconds: 30)
    private var failures = 0

    /// Records a run that ended after `ranFor` and returns the wait before the next.
    mutating func delay(afterRunOf ranFor: Duration) -> Duration {
        if ranFor >= Self.healthyRun { failures = 0 }
        defer { failures += 1 }
        return .milliseconds(Int64(policy.delay(attempt: failures) * 1000))
    }
}
