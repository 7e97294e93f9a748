/// Stripping of the prefixes log tools put before a kernel message.
public enum LinePrefix {
    /// Parses a dmesg timestamp `[  123.456789]` at `index` (spaces allowed inside).
    /// Returns CLOCK_MONOTONIC microseconds and the index after `]`.
    static func monotonicStamp(_ b: ByteBuffer, at index: Int) -> (micros: Int64, end: Int)? {
        guard index < b.count, b[index] == UInt8(ascii: "[") else { return nil }
        var i = index + 1
        while i < b.count && b[i] == 0x20 { i += 1 }
        guard let (secs, e1) = b.parseUnsigned(at: i), e1 < b.count, b[e1] == UInt8(ascii: ".") else { return nil }
        var frac: Int64 = 0
        var digits = 0
        var j = e1 + 1
        while j < b.count, b[j] >= 0x30, b[j] <= 0x39 {
            if digits < 6 { frac = frac * 10 + Int64(b[j] - 0x30) }
            digits += 1
            j += 1
        }
        guard digits > 0, j < b.count, b[j] == UInt8(ascii: "]") else { return nil }
        while digits < 6 { frac *= 10; digits += 1 }
        guard secs < UInt64(Int64.max / 1_000_000 - 1) else { return nil }
        return (Int64(secs) * 1_000_000 + frac, j + 1)
    }

    /// Skips a printk caller id `[ T1234]` / `[C2]` (CONFIG_PRINTK_CALLER) at `index`, with
    /// surrounding spaces; returns the index after it, or `index` if there is none.
    static func skipCallerID(_ b: ByteBuffer, at index: Int) -> Int {
        var i = index
        while i < b.count && b[i] == 0x20 { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "[") else { return index }
        var j = i + 1
        while j < b.count && b[j] == 0x20 { j += 1 }
        guard j < b.count, b[j] == UInt8(ascii: "T") || b[j] == UInt8(ascii: "C") else { return index }
        guard let (_, e) = b.parseUnsigned(at: j + 1), e < b.count, b[e] == UInt8(ascii: "]") else { return index }
        var k = e + 1
        if k < b.count && b[k] == 0x20 { k += 1 }
        return k
    }

    /// Strips a dmesg-style prefix: `[  123.456789] ` plus an optional caller id.
    /// Returns the monotonic time (µs) and the message start; `nil` if there is no stamp.
    public static func stripMonotonic(_ line: UnsafeBufferPointer<UInt8>) -> (monotonicMicros: Int64, messageStart: Int)? {
        guard let (micros, end) = monotonicStamp(line, at: 0) else { return nil }
        var i = end
        if i < line.count && line[i] == 0x20 { i += 1 }
        i = skipCallerID(line, at: i)
        return (micros, i)
    }

    /// Strips a dmesg-style prefix from text; returns the monotonic µs and the message.
    public static func stripMonotonic(_ line: String) -> (monotonicMicros: Int64, message: String)? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { b -> (Int64, String)? in
            guard let (m, s) = stripMonotonic(b) else { return nil }
            return (m, String(decoding: b[s...], as: UTF8.self))
        }
    }

    /// A parsed syslog header: `Aug 10 21:09:11[.ffffff] host ident[pid]: ` or
    /// `2024-08-10T21:09:11[.ffffff](Z|±hh:mm|±hhmm) host ident[pid]: `.
    public struct SyslogHeader: Sendable, Hashable {
        /// Wall-clock time in µs since the epoch, if the year is known (ISO or supplied).
        public var realtimeMicros: Int64?
        public var hostname: String
        /// The identifier before `:` without `[pid]` (`kernel` for kernel lines).
        public var identifier: String
        /// Index of the message in the line.
        public var messageStart: Int
    }

    /// Parses a syslog / `journalctl -o short*` header.
    /// - Parameters:
    ///   - year: year for the classic format (which has none); `nil` leaves `realtimeMicros` nil.
    ///   - utcOffsetSeconds: offset of the classic format's local time from UTC.
    public static func parseSyslogHeader(_ b: UnsafeBufferPointer<UInt8>, year: Int?, utcOffsetSeconds: Int) -> SyslogHeader? {
        var i: Int
        var realtime: Int64?
        if let (t, end) = CivilTime.parseClassic(b, at: 0, year: year, utcOffsetSeconds: utcOffsetSeconds) {
            realtime = t
            i = end
        } else if let (t, end) = CivilTime.parseISO(b, at: 0) {
            realtime = t
            i = end
        } else {
            return nil
        }
        guard i < b.count, b[i] == 0x20 else { return nil }
        i += 1
        guard let hostEnd = b.index(of: 0x20, from: i), hostEnd > i else { return nil }
        let host = b.text(i..<hostEnd)
        i = hostEnd + 1
        // identifier runs to ": "; it may carry [pid]
        guard let colon = b.find(": ", from: i, to: min(b.count, i + 256)) ?? (b.count > i && b[b.count - 1] == UInt8(ascii: ":") ? b.count - 1 : nil)
        else { return nil }
        var identEnd = colon
        if let bracket = b.index(of: UInt8(ascii: "["), from: i, to: colon) { identEnd = bracket }
        let ident = b.text(i..<identEnd)
        return SyslogHeader(realtimeMicros: realtime, hostname: host, identifier: ident, messageStart: min(b.count, colon + 2))
    }
}
