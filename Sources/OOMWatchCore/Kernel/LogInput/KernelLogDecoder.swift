#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes a kernel log in any `KernelLogFormat` into `KernelLine`s, chunk by chunk.
///
/// The format is detected from the first meaningful line unless given. Non-kernel lines
/// (other syslog identifiers, journal entries with another `_TRANSPORT`, kmsg records with a
/// non-kernel facility) are skipped and counted: userspace cannot forge OOM kills this way.
/// dmesg, `dmesg -T` and kmsg text escape non-printable bytes as `\xNN`; those are decoded back
/// into raw bytes so process names round-trip.
public struct KernelLogDecoder: Sendable {
    /// Decoding options.
    public struct Options: Sendable, Hashable {
        /// Force a format instead of detecting it.
        public var format: KernelLogFormat?
        /// Year for classic syslog timestamps (`Aug 10 21:09:11` has none); `nil` → no realtime.
        public var year: Int?
        /// Offset of local-time formats (classic syslog, `dmesg -T`) from UTC, seconds.
        public var utcOffsetSeconds: Int
        /// Skip lines that are not from the kernel (default true).
        public var kernelOnly: Bool

        public init(format: KernelLogFormat? = nil, year: Int? = nil, utcOffsetSeconds: Int = 0, kernelOnly: Bool = true) {
            self.format = format
            self.year = year
            self.utcOffsetSeconds = utcOffsetSeconds
            self.kernelOnly = kernelOnly
        }
    }

    /// Counts of what was read.
    public struct Counters: Sendable, Hashable, Codable {
        public var linesRead = 0
        public var linesDecoded = 0
        /// Lines from another source than the kernel.
        public var nonKernelSkipped = 0
        /// Lines in the wrong shape for the format (JSON that does not parse, …).
        public var undecodable = 0
        public init() {}
    }

    public let options: Options
    /// The format in use (detected once enough input was seen).
    public private(set) var format: KernelLogFormat?
    public private(set) var counters = Counters()

    private var carry: [UInt8] = []
    private var export = JournalExportReader()
    /// Boot id from `-- Boot <id> --` separators of `journalctl` text output.
    private var textBootID: String?
    /// Maximum bytes kept for one unterminated text line.
    private let maxLineBytes = 1 << 20

    /// Creates a decoder.
    public init(options: Options = Options()) {
        self.options = options
        self.format = options.format
    }

    /// Decodes a whole input at once.
    public static func decodeAll(_ input: [UInt8], options: Options = Options()) -> (format: KernelLogFormat, lines: [KernelLine], counters: Counters) {
        var d = KernelLogDecoder(options: options)
        var lines = d.decode(input)
        lines += d.finish()
        return (d.format ?? .plain, lines, d.counters)
    }

    /// Adds a chunk of input; returns the lines it completed.
    public mutating func decode(_ chunk: [UInt8]) -> [KernelLine] {
        if format == nil {
            carry.append(contentsOf: chunk)
            guard let f = detectFromCarry(final: false) else { return [] }
            format = f
            let data = carry
            carry = []
            return process(data)
        }
        return process(chunk)
    }

    /// Ends the input; returns any last lines.
    public mutating func finish() -> [KernelLine] {
        var out: [KernelLine] = []
        if format == nil {
            format = detectFromCarry(final: true) ?? .plain
            let data = carry
            carry = []
            out += process(data)
        }
        if format == .journalExport {
            for e in export.finish() { if let l = line(from: e) { out.append(l) } }
            return out
        }
        if !carry.isEmpty {
            let last = carry
            carry = []
            if let l = decodeTextLine(last) { out.append(l) }
        }
        return out
    }

    private func detectFromCarry(final: Bool) -> KernelLogFormat? {
        var start = 0
        while let nl = carry[start...].firstIndex(of: 0x0A) {
            if let f = KernelLogFormat.detectLine(Array(carry[start..<nl])) { return f }
            start = nl + 1
        }
        if final && start < carry.count { return KernelLogFormat.detectLine(Array(carry[start...])) }
        if carry.count > maxLineBytes { return .plain }
        return nil
    }

    private mutating func process(_ data: [UInt8]) -> [KernelLine] {
        var out: [KernelLine] = []
        if format == .journalExport {
            for e in export.feed(data) { if let l = line(from: e) { out.append(l) } }
            return out
        }
        var start = 0
        let n = data.count
        if !carry.isEmpty {
            guard let nl = data.firstIndex(of: 0x0A) else {
                carry.append(contentsOf: data)
                if carry.count > maxLineBytes {
                    counters.undecodable += 1
                    carry.removeAll()
                }
                return out
            }
            var line = carry
            line.append(contentsOf: data[0..<nl])
            carry = []
            if let l = decodeTextLine(line) { out.append(l) }
            start = nl + 1
        }
        data.withUnsafeBufferPointer { b in
            while start < n {
                guard let nl = b.index(of: 0x0A, from: start) else {
                    carry = Array(b[start..<n])
                    return
                }
                if let l = decodeTextLine(UnsafeBufferPointer(rebasing: b[start..<nl])) { out.append(l) }
                start = nl + 1
            }
        }
        return out
    }

    private mutating func decodeTextLine(_ line: [UInt8]) -> KernelLine? {
        line.withUnsafeBufferPointer { decodeTextLine($0) }
    }

    private mutating func line(from entry: JournalExportEntry) -> KernelLine? {
        counters.linesRead += 1
        if options.kernelOnly && !entry.isKernel {
            counters.nonKernelSkipped += 1
            return nil
        }
        guard let l = entry.kernelLine() else {
            counters.undecodable += 1
            return nil
        }
        counters.linesDecoded += 1
        return l
    }

    /// Decodes one line (without its newline) in the current format.
    private mutating func decodeTextLine(_ raw: UnsafeBufferPointer<UInt8>) -> KernelLine? {
        var n = raw.count
        if n > 0 && raw[n - 1] == 0x0D { n -= 1 }
        let b = UnsafeBufferPointer(rebasing: raw[0..<n])
        guard n > 0 else { return nil }
        counters.linesRead += 1
        if b.matches("-- ", at: 0) {
            counters.linesRead -= 1
            if b.matches("-- Boot ", at: 0), let end = b.find(" --", from: 8) { textBootID = b.text(8..<end) }
            return nil
        }
        var result: KernelLine?
        switch format ?? .plain {
        case .dmesg:
            if let (mono, start) = LinePrefix.stripMonotonic(b) {
                result = KernelLine(message: EscapedText.unescapeKernel(b.bytes(start..<n)), monotonicMicros: mono)
            } else {
                result = KernelLine(message: EscapedText.unescapeKernel(b.bytes(0..<n)))
            }
        case .dmesgHuman:
            if let (rt, end) = CivilTime.parseCtimeBracket(b, at: 0, utcOffsetSeconds: options.utcOffsetSeconds) {
                var s = end
                if s < n && b[s] == 0x20 { s += 1 }
                s = LinePrefix.skipCallerID(b, at: s)
                result = KernelLine(message: EscapedText.unescapeKernel(b.bytes(s..<n)), realtimeMicros: rt)
            } else {
                result = KernelLine(message: EscapedText.unescapeKernel(b.bytes(0..<n)))
            }
        case .kmsg:
            result = decodeKmsg(b)
        case .syslog, .syslogISO:
            result = decodeSyslog(b)
        case .journalShortMonotonic:
            result = decodeShortMonotonic(b)
        case .journalJSON:
            result = decodeJSON(b)
        case .plain:
            result = KernelLine(message: b.bytes(0..<n))
        case .journalExport:
            result = nil
        }
        if result != nil {
            counters.linesDecoded += 1
            if result?.bootID == nil { result?.bootID = textBootID }
        }
        return result
    }

    private mutating func decodeKmsg(_ b: ByteBuffer) -> KernelLine? {
        if b[0] == 0x20 { counters.linesRead -= 1; return nil } // dictionary continuation ` KEY=value`
        guard let (prio, e1) = b.parseUnsigned(at: 0), b.matches(",", at: e1),
              let (seq, e2) = b.parseUnsigned(at: e1 + 1), b.matches(",", at: e2),
              let (usec, _) = b.parseUnsigned(at: e2 + 1),
              let semi = b.index(of: UInt8(ascii: ";"), from: e2) else {
            counters.undecodable += 1
            return nil
        }
        if options.kernelOnly && prio >> 3 != 0 {
            counters.nonKernelSkipped += 1
            return nil
        }
        return KernelLine(message: EscapedText.unescapeKernel(b.bytes((semi + 1)..<b.count)),
                          monotonicMicros: usec > UInt64(Int64.max) ? nil : Int64(usec),
                          sequence: seq, priority: UInt8(prio & 7))
    }

    private mutating func decodeSyslog(_ b: ByteBuffer) -> KernelLine? {
        guard let h = LinePrefix.parseSyslogHeader(b, year: options.year, utcOffsetSeconds: options.utcOffsetSeconds) else {
            counters.undecodable += 1
            return nil
        }
        if options.kernelOnly && h.identifier != "kernel" {
            counters.nonKernelSkipped += 1
            return nil
        }
        var start = h.messageStart
        var mono: Int64?
        if let (m, end) = LinePrefix.monotonicStamp(b, at: start) {
            mono = m
            start = end
            if start < b.count && b[start] == 0x20 { start += 1 }
            start = LinePrefix.skipCallerID(b, at: start)
        }
        return KernelLine(message: b.bytes(start..<b.count), realtimeMicros: h.realtimeMicros, monotonicMicros: mono)
    }

    private mutating func decodeShortMonotonic(_ b: ByteBuffer) -> KernelLine? {
        guard let (mono, end) = LinePrefix.monotonicStamp(b, at: 0), end < b.count, b[end] == 0x20,
              let hostEnd = b.index(of: 0x20, from: end + 1),
              let colon = b.find(": ", from: hostEnd + 1) ?? (b[b.count - 1] == UInt8(ascii: ":") ? b.count - 1 : nil) else {
            counters.undecodable += 1
            return nil
        }
        var identEnd = colon
        if let br = b.index(of: UInt8(ascii: "["), from: hostEnd + 1, to: colon) { identEnd = br }
        if options.kernelOnly && !(identEnd - hostEnd - 1 == 6 && b.matches("kernel", at: hostEnd + 1)) {
            counters.nonKernelSkipped += 1
            return nil
        }
        return KernelLine(message: b.bytes(min(b.count, colon + 2)..<b.count), monotonicMicros: mono)
    }

    private mutating func decodeJSON(_ b: ByteBuffer) -> KernelLine? {
        guard let object = try? JSONDecoder().decode([String: JournalJSONValue].self, from: Data(buffer: b)) else {
            counters.undecodable += 1
            return nil
        }
        var entry = JournalExportEntry()
        for (key, value) in object {
            if let bytes = value.fieldBytes { entry.fields[key] = bytes }
        }
        if options.kernelOnly && !entry.isKernel {
            counters.nonKernelSkipped += 1
            return nil
        }
        guard let line = entry.kernelLine() else {
            counters.undecodable += 1
            return nil
        }
        return line
    }
}
