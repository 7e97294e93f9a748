/// One kernel log message as it arrived from a source (journal, /dev/kmsg, a log file),
/// before any interpretation. The message bytes are kept raw: process names may hold
/// any byte, including invalid UTF-8.
public struct KernelLine: Sendable, Hashable {
    /// The message text without any source prefix (no `[123.456]`, no syslog header).
    public var message: [UInt8]
    /// Wall-clock time of the message, microseconds since the Unix epoch, when known.
    public var realtimeMicros: Int64?
    /// Kernel timestamp (CLOCK_MONOTONIC of its boot), microseconds, when known.
    public var monotonicMicros: Int64?
    /// The boot the message belongs to (journal `_BOOT_ID`), when known.
    public var bootID: String?
    /// Journal cursor of the entry, when it came from the journal.
    public var cursor: String?
    /// /dev/kmsg sequence number, when it came from kmsg.
    public var sequence: UInt64?
    /// syslog priority (0 emerg … 7 debug), when known.
    public var priority: UInt8?

    public init(
        message: [UInt8],
        realtimeMicros: Int64? = nil,
        monotonicMicros: Int64? = nil,
        bootID: String? = nil,
        cursor: String? = nil,
        sequence: UInt64? = nil,
        priority: UInt8? = nil
    ) {
        self.message = message
        self.realtimeMicros = realtimeMicros
        self.monotonicMicros = monotonicMicros
        self.bootID = bootID
        self.cursor = cursor
        self.sequence = sequence
        self.priority = priority
    }

    public init(_ text: String, realtimeMicros: Int64? = nil, monotonicMicros: Int64? = nil, bootID: String? = nil) {
        self.init(message: Array(text.utf8), realtimeMicros: realtimeMicros, monotonicMicros: monotonicMicros, bootID: bootID)
    }
}
