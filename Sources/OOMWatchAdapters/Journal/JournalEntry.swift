import OOMWatchCore

/// The fields of one journal entry that oomwatch uses.
public struct JournalEntry: Sendable, Hashable {
    /// MESSAGE, raw bytes (the journal stores non-UTF-8 messages as binary).
    public var message: [UInt8]
    /// The entry's CLOCK_REALTIME timestamp, µs. For kernel lines this is when journald ingested
    /// the line, which for lines flushed from /dev/kmsg at journald start can be much later than
    /// when the kernel printed it.
    public var realtimeMicros: UInt64
    /// The entry's CLOCK_MONOTONIC timestamp (journald ingestion), µs.
    public var monotonicMicros: UInt64
    /// `_SOURCE_MONOTONIC_TIMESTAMP`: the kernel's own timestamp of the line, µs, when present.
    public var sourceMonotonicMicros: UInt64?
    /// `_BOOT_ID` of the entry.
    public var bootID: String
    /// The entry's cursor.
    public var cursor: String
    /// PRIORITY (0…7), when present and valid.
    public var priority: UInt8?

    /// Creates an entry.
    public init(
        message: [UInt8], realtimeMicros: UInt64, monotonicMicros: UInt64, sourceMonotonicMicros: UInt64?,
        bootID: String, cursor: String, priority: UInt8?
    ) {
        self.message = message
        self.realtimeMicros = realtimeMicros
        self.monotonicMicros = monotonicMicros
        self.sourceMonotonicMicros = sourceMonotonicMicros
        self.bootID = bootID
        self.cursor = cursor
        self.priority = priority
    }

    /// The entry as a kernel line: monotonic time is the kernel's (`_SOURCE_MONOTONIC_TIMESTAMP`)
    /// when present, else the entry's own monotonic timestamp.
    public var kernelLine: KernelLine {
        KernelLine(
            message: message,
            realtimeMicros: Int64(clamping: realtimeMicros),
            monotonicMicros: Int64(clamping: sourceMonotonicMicros ?? monotonicMicros),
            bootID: bootID,
            cursor: cursor,
            sequence: nil,
            priority: priority
        )
    }
}
