/// One journal entry from the export format: field name → first value (raw bytes).
public struct JournalExportEntry: Sendable, Hashable {
    /// Fields; when a field repeats, the first value is kept.
    public var fields: [String: [UInt8]]

    public init(fields: [String: [UInt8]] = [:]) {
        self.fields = fields
    }

    /// The raw value of `name`.
    public subscript(_ name: String) -> [UInt8]? { fields[name] }

    /// The value of `name` as text (invalid UTF-8 escaped).
    public func string(_ name: String) -> String? { fields[name].map(EscapedText.string(from:)) }

    /// The value of `name` as a decimal integer.
    public func integer(_ name: String) -> Int64? {
        guard let v = fields[name], !v.isEmpty, v.count <= 19 else { return nil }
        var r: Int64 = 0
        for c in v {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            r = r * 10 + Int64(c - 0x30)
        }
        return r
    }

    /// Converts a kernel entry into a `KernelLine` (`nil` without `MESSAGE`).
    /// Kernel time is `_SOURCE_MONOTONIC_TIMESTAMP` (the kmsg stamp), else `__MONOTONIC_TIMESTAMP`.
    public func kernelLine() -> KernelLine? {
        guard let message = fields["MESSAGE"] else { return nil }
        let priority = integer("PRIORITY").flatMap { $0 >= 0 && $0 <= 7 ? UInt8($0) : nil }
        return KernelLine(
            message: message,
            realtimeMicros: integer("__REALTIME_TIMESTAMP") ?? integer("_SOURCE_REALTIME_TIMESTAMP"),
            monotonicMicros: integer("_SOURCE_MONOTONIC_TIMESTAMP") ?? integer("__MONOTONIC_TIMESTAMP"),
            bootID: string("_BOOT_ID") ?? string("__BOOT_ID"),
            cursor: string("__CURSOR"),
            sequence: nil,
            priority: priority)
    }

    /// Whether the entry came from the kernel (`_TRANSPORT=kernel`, else `SYSLOG_IDENTIFIER=kernel`;
    /// entries with neither field are accepted).
    public var isKernel: Bool {
        if let t = fields["_TRANSPORT"] { return t == Array("kernel".utf8) }
        if let s = fields["SYSLOG_IDENTIFIER"] { return s == Array("kernel".utf8) }
        return true
    }
}

/// Streaming parser of `journalctl -o export` (the Journal Export Format).
///
/// Text fields are `NAME=value\n`; binary-safe fields (journald uses them for non-UTF-8
/// `MESSAGE`) are `NAME\n` + 64-bit little-endian length + bytes + `\n`; a blank line ends
/// an entry. Feed chunks of any size; malformed data is skipped to the next entry and counted.
public struct JournalExportReader: Sendable {
    /// Largest accepted binary field; larger lengths are treated as corruption.
    public var maxFieldSize: Int
    /// Entries dropped because they were malformed.
    public private(set) var malformedEntries = 0

    private var buffer: [UInt8] = []
    private var position = 0
    private var current: [String: [UInt8]] = [:]
    private var skippingToEntryEnd = false
    /// Discard bytes up to and including the next newline (after corruption), chunking-independent.
    private var discardingLine = false

    /// Creates a reader; `maxFieldSize` bounds memory against hostile lengths.
    public init(maxFieldSize: Int = 16 << 20) {
        self.maxFieldSize = maxFieldSize
    }

    /// Adds bytes; returns the entries completed by them.
    public mutating func feed(_ chunk: [UInt8]) -> [JournalExportEntry] {
        buffer.append(contentsOf: chunk)
        var out: [JournalExportEntry] = []
        parse(into: &out, final: false)
        compact()
        return out
    }

    /// Ends the input; returns a last entry that lacked its terminating blank line.
    public mutating func finish() -> [JournalExportEntry] {
        var out: [JournalExportEntry] = []
        parse(into: &out, final: true)
        if position < buffer.count {
            // Leftover bytes: an incomplete field.
            malformedEntries += 1
            current.removeAll()
        }
        if !current.isEmpty && !skippingToEntryEnd {
            out.append(JournalExportEntry(fields: current))
        }
        current.removeAll()
        buffer.removeAll()
        position = 0
        skippingToEntryEnd = false
        discardingLine = false
        return out
    }

    /// Parses a whole export stream.
    public static func entries(in data: [UInt8]) -> (entries: [JournalExportEntry], malformed: Int) {
        var r = JournalExportReader()
        var e = r.feed(data)
        e += r.finish()
        return (e, r.malformedEntries)
    }

    private mutating func parse(into out: inout [JournalExportEntry], final: Bool) {
        while position < buffer.count {
            if discardingLine {
                guard let nl = indexOfNewline(from: position) else {
                    position = buffer.count
                    return
                }
                position = nl + 1
                discardingLine = false
                continue
            }
            if buffer[position] == 0x0A {
                position += 1
                if skippingToEntryEnd {
                    skippingToEntryEnd = false
                    current.removeAll()
                } else if !current.isEmpty {
                    out.append(JournalExportEntry(fields: current))
                    current.removeAll()
                }
                continue
            }
            guard let nl = indexOfNewline(from: position) else { return }
            if skippingToEntryEnd {
                position = nl + 1
                continue
            }
            if let eq = indexOf(0x3D, from: position, to: nl) {
                let name = String(decoding: buffer[position..<eq], as: UTF8.self)
                if current[name] == nil { current[name] = Array(buffer[(eq + 1)..<nl]) }
                position = nl + 1
                continue
            }
            // Binary field: NAME\n <u64 le length> data \n
            let lengthStart = nl + 1
            guard buffer.count - lengthStart >= 8 else { return }
            var length: UInt64 = 0
            for k in 0..<8 { length |= UInt64(buffer[lengthStart + k]) << (8 * UInt64(k)) }
            guard length <= UInt64(maxFieldSize) else {
                malformed(resumeAt: lengthStart)
                continue
            }
            let dataStart = lengthStart + 8
            let dataEnd = dataStart + Int(length)
            guard buffer.count > dataEnd else { return }
            guard buffer[dataEnd] == 0x0A else {
                malformed(resumeAt: lengthStart)
                continue
            }
            let name = String(decoding: buffer[position..<nl], as: UTF8.self)
            if current[name] == nil { current[name] = Array(buffer[dataStart..<dataEnd]) }
            position = dataEnd + 1
        }
    }

    private mutating func malformed(resumeAt index: Int) {
        malformedEntries += 1
        current.removeAll()
        skippingToEntryEnd = true
        // Skip to the end of the current line, then look for the blank line that ends the entry.
        position = index
        discardingLine = true
    }

    private func indexOfNewline(from: Int) -> Int? { indexOf(0x0A, from: from, to: buffer.count) }

    private func indexOf(_ byte: UInt8, from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            if buffer[i] == byte { return i }
            i += 1
        }
        return nil
    }

    private mutating func compact() {
        if position > 0 && (position >= buffer.count || position > 1 << 16) {
            buffer.removeFirst(position)
            position = 0
        }
    }
}
