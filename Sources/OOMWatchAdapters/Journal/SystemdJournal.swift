import CSystemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What `sd_journal_wait` / `sd_journal_process` reported.
public enum JournalChange: Sendable, Hashable {
    /// Nothing changed (timeout).
    case nothing
    /// Entries were appended to open files.
    case appended
    /// Files were added or removed (rotation, vacuum, journald restart): positions may need re-checking.
    case filesChanged
}

/// The one Swift owner of an `sd_journal*` handle. sd-journal handles are thread-affine on
/// systemd 252: create, use and release an instance on a single thread. Not Sendable by design.
/// Every negative return code becomes a `JournalError.call(function, errno:)`.
public final class SystemdJournal {
    private let handle: OpaquePointer

    /// Opens the journal files of `source`.
    public init(source: JournalSource) throws(JournalError) {
        var pointer: OpaquePointer?
        let result: Int32
        let function: String
        switch source {
        case .system:
            result = sd_journal_open(&pointer, Int32(SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM))
            function = "sd_journal_open"
        case .directory(let path):
            result = sd_journal_open_directory(&pointer, path, 0)
            function = "sd_journal_open_directory"
        case .osRoot(let root):
            result = sd_journal_open_directory(&pointer, root, Int32(SD_JOURNAL_OS_ROOT))
            function = "sd_journal_open_directory"
        }
        try JournalError.check(result, function)
        guard let pointer else { throw .call(function, errno: EINVAL) }
        handle = pointer
    }

    deinit { sd_journal_close(handle) }

    /// Adds a `FIELD=value` match (same field: OR; different fields: AND).
    public func addMatch(_ match: String) throws(JournalError) {
        let result = match.withCString { sd_journal_add_match(handle, $0, 0) }
        try JournalError.check(result, "sd_journal_add_match")
    }

    /// Starts a new OR group of matches.
    public func addDisjunction() throws(JournalError) {
        try JournalError.check(sd_journal_add_disjunction(handle), "sd_journal_add_disjunction")
    }

    /// Removes all matches.
    public func flushMatches() { sd_journal_flush_matches(handle) }

    /// Positions before the first entry.
    public func seekHead() throws(JournalError) {
        try JournalError.check(sd_journal_seek_head(handle), "sd_journal_seek_head")
    }

    /// Positions after the last entry (call `previous()` to land on it).
    public func seekTail() throws(JournalError) {
        try JournalError.check(sd_journal_seek_tail(handle), "sd_journal_seek_tail")
    }

    /// Positions so that `next()` returns the entry of `cursor` or, when it is gone, the first after its place.
    public func seekCursor(_ cursor: String) throws(JournalError) {
        let result = cursor.withCString { sd_journal_seek_cursor(handle, $0) }
        try JournalError.check(result, "sd_journal_seek_cursor")
    }

    /// Positions so that `next()` returns the first entry at or after `micros` (CLOCK_REALTIME).
    public func seekRealtime(_ micros: UInt64) throws(JournalError) {
        try JournalError.check(sd_journal_seek_realtime_usec(handle, micros), "sd_journal_seek_realtime_usec")
    }

    /// Advances to the next entry; false at the end.
    public func next() throws(JournalError) -> Bool {
        try JournalError.check(sd_journal_next(handle), "sd_journal_next") > 0
    }

    /// Steps back to the previous entry; false at the start.
    public func previous() throws(JournalError) -> Bool {
        try JournalError.check(sd_journal_previous(handle), "sd_journal_previous") > 0
    }

    /// The current entry's value of `field` as raw bytes (binary-safe), nil when the entry lacks it.
    public func data(_ field: String) throws(JournalError) -> [UInt8]? {
        var pointer: UnsafeRawPointer?
        var length = 0
        let result = field.withCString { sd_journal_get_data(handle, $0, &pointer, &length) }
        if result == -ENOENT { return nil }
        try JournalError.check(result, "sd_journal_get_data")
        guard let pointer else { return nil }
        // The data is "FIELD=value"; drop the prefix.
        let prefix = field.utf8.count + 1
        guard length >= prefix else { return [] }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        return Array(bytes[prefix...])
    }

    /// The current entry's value of `field` as a string (lossy UTF-8), nil when absent.
    public func string(_ field: String) throws(JournalError) -> String? {
        guard let bytes = try data(field) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The current entry's CLOCK_REALTIME timestamp (µs since the epoch).
    public func realtimeMicros() throws(JournalError) -> UInt64 {
        var value: UInt64 = 0
        try JournalError.check(sd_journal_get_realtime_usec(handle, &value), "sd_journal_get_realtime_usec")
        return value
    }

    /// The current entry's CLOCK_MONOTONIC timestamp (µs) and the boot it belongs to.
    public func monotonic() throws(JournalError) -> (micros: UInt64, bootID: String) {
        var value: UInt64 = 0
        var boot = sd_id128_t()
        try JournalError.check(sd_journal_get_monotonic_usec(handle, &value, &boot), "sd_journal_get_monotonic_usec")
        return (value, Self.format(boot))
    }

    /// The current entry's cursor.
    public func cursor() throws(JournalError) -> String {
        var text: UnsafeMutablePointer<CChar>?
        try JournalError.check(sd_journal_get_cursor(handle, &text), "sd_journal_get_cursor")
        guard let text else { throw .call("sd_journal_get_cursor", errno: EINVAL) }
        defer { free(text) }
        return String(cString: text)
    }

    /// True when the current entry is the one `cursor` names.
    public func testCursor(_ cursor: String) throws(JournalError) -> Bool {
        let result = cursor.withCString { sd_journal_test_cursor(handle, $0) }
        return try JournalError.check(result, "sd_journal_test_cursor") > 0
    }

    /// Waits up to `timeoutMicros` for changes (inotify), then processes them.
    public func wait(timeoutMicros: UInt64) throws(JournalError) -> JournalChange {
        Self.change(try JournalError.check(sd_journal_wait(handle, timeoutMicros), "sd_journal_wait"))
    }

    /// Sets up the inotify watches (`sd_journal_get_fd`) and consumes the change report that the
    /// first wait after opening always gives (`SD_JOURNAL_INVALIDATE` for the files just opened).
    @discardableResult
    public func startWatching() throws(JournalError) -> JournalChange {
        try JournalError.check(sd_journal_get_fd(handle), "sd_journal_get_fd")
        return try wait(timeoutMicros: 0)
    }

    /// Processes pending inotify events without blocking.
    public func process() throws(JournalError) -> JournalChange {
        Self.change(try JournalError.check(sd_journal_process(handle), "sd_journal_process"))
    }

    /// All distinct values of `field` in the open files (respecting no matches), raw bytes.
    public func uniqueValues(of field: String) throws(JournalError) -> [[UInt8]] {
        let result = field.withCString { sd_journal_query_unique(handle, $0) }
        try JournalError.check(result, "sd_journal_query_unique")
        var values: [[UInt8]] = []
        let prefix = field.utf8.count + 1
        while true {
            var pointer: UnsafeRawPointer?
            var length = 0
            let step = sd_journal_enumerate_unique(handle, &pointer, &length)
            try JournalError.check(step, "sd_journal_enumerate_unique")
            if step == 0 { break }
            guard let pointer, length >= prefix else { continue }
            values.append(Array(UnsafeRawBufferPointer(start: pointer, count: length)[prefix...]))
        }
        return values
    }

    /// Reads the fields oomwatch needs from the current entry.
    public func entry() throws(JournalError) -> JournalEntry {
        let (monotonicMicros, bootID) = try monotonic()
        return JournalEntry(
            message: try data("MESSAGE") ?? [],
            realtimeMicros: try realtimeMicros(),
            monotonicMicros: monotonicMicros,
            sourceMonotonicMicros: try string("_SOURCE_MONOTONIC_TIMESTAMP").flatMap { UInt64($0) },
            bootID: bootID,
            cursor: try cursor(),
            priority: try string("PRIORITY").flatMap { UInt8($0) }.flatMap { $0 <= 7 ? $0 : nil }
        )
    }

    /// The running kernel's boot ID (32 lowercase hex digits).
    public static func currentBootID() throws(JournalError) -> String {
        var boot = sd_id128_t()
        try JournalError.check(sd_id128_get_boot(&boot), "sd_id128_get_boot")
        return format(boot)
    }

    private static func format(_ id: sd_id128_t) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        withUnsafeBytes(of: id) { raw in
            for byte in raw.prefix(16) {
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func change(_ value: Int32) -> JournalChange {
        switch value {
        case Int32(SD_JOURNAL_APPEND): .appended
        case Int32(SD_JOURNAL_INVALIDATE): .filesChanged
        default: .nothing
        }
    }
}
