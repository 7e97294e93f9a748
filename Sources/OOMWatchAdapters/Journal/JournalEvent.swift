import OOMWatchCore

/// What a `JournalTailer` or `KmsgReader` hands to its consumer.
public enum JournalEvent: Sendable, Hashable {
    /// One kernel line, in journal order.
    case entry(KernelLine)
    /// The replay of already stored lines reached the end; what follows is live.
    case replayFinished
    /// A readiness or warning change of the source.
    case status(JournalStatus)
    /// How the boot before the current one ended (only when requested; nil: no previous boot stored).
    case previousBoot(PreviousBootSummary?)
}

/// The state of a kernel-line source, for logs and the readiness endpoint.
public enum JournalStatus: Sendable, Hashable, CustomStringConvertible {
    /// The source is open and being read.
    case opened(source: String)
    /// The source was closed and opened again (journal files changed: rotation, vacuum,
    /// journald restart; or a read error) and reading resumed after the last delivered entry.
    case reopened(source: String, reason: String)
    /// The journal directory does not exist yet; retrying.
    case waitingForJournal(path: String, retryInSeconds: Double)
    /// The journal exists but may not be read by this process; retrying.
    case permissionDenied(path: String, message: String, retryInSeconds: Double)
    /// Opening or reading failed for another reason; retrying after `retryInSeconds`, or (0) the reader
    /// ends and its owner decides.
    case failed(message: String, retryInSeconds: Double)
    /// Warning: the start cursor is malformed or no longer in the journal; reading continues at `resumedAt`.
    case cursorNotFound(cursor: String, resumedAt: String)
    /// Warning: the saved cursor is older than a resume may reach (the daemon was stopped that long);
    /// reading starts at `resumedAtRealtimeMicros` and what came before is neither read nor counted.
    case savedPositionTooOld(cursor: String, resumedAtRealtimeMicros: UInt64)
    /// Warning (kmsg): the kernel ring buffer overwrote records before they were read.
    case recordsLost(count: UInt64, totalLost: UInt64)

    /// Whether this status makes the source ready (true), not ready (false), or is only a warning (nil).
    public var readiness: Bool? {
        switch self {
        case .opened, .reopened: true
        case .waitingForJournal, .permissionDenied, .failed: false
        case .cursorNotFound, .savedPositionTooOld, .recordsLost: nil
        }
    }

    /// Whether the source is open after this status (true), closed (false), or unchanged (nil): a
    /// failure with no retry (a previous boot that cannot be summarized, a read error the reader reports
    /// before it ends) leaves an open source open.
    public var sourceOpen: Bool? {
        switch self {
        case .opened, .reopened: true
        case .waitingForJournal, .permissionDenied: false
        case .failed(_, let retryInSeconds): retryInSeconds > 0 ? false : nil
        case .cursorNotFound, .savedPositionTooOld, .recordsLost: nil
        }
    }

    /// A one-line explanation for logs and `/readyz`.
    public var description: String {
        switch self {
        case .opened(let source): "reading \(source)"
        case .reopened(let source, let reason): "reopened \(source): \(reason)"
        case .waitingForJournal(let path, let delay): "waiting for journal at \(path)" + Self.retry(in: delay)
        case .permissionDenied(let path, let message, let delay): "permission denied on \(path): \(message)" + Self.retry(in: delay)
        case .failed(let message, let delay): message + Self.retry(in: delay)
        case .cursorNotFound(let cursor, let resumedAt): "cursor \(cursor) not found in the journal; resuming at \(resumedAt)"
        case .savedPositionTooOld(let cursor, let micros):
            "saved position \(cursor) is older than a resume may reach; reading from realtime \(micros) µs, earlier kernel messages are not counted"
        case .recordsLost(let count, let total): "kernel ring buffer overrun: \(count) records lost (\(total) in total)"
        }
    }

    /// " (retry in N s)", or nothing when the reader does not retry by itself (0: it ends and its owner decides).
    private static func retry(in delay: Double) -> String {
        delay > 0 ? " (retry in \(delay) s)" : ""
    }
}
