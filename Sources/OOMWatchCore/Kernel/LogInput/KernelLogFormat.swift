/// The textual or structured formats `oomwatch parse` reads kernel logs from.
public enum KernelLogFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// `dmesg`: `[  123.456789] message` (caller ids `[ T123]` allowed).
    case dmesg
    /// `dmesg -T`: `[Mon Aug 31 18:23:18 2015] message`.
    case dmesgHuman
    /// `/dev/kmsg` records: `6,1143,126418195,-;message`.
    case kmsg
    /// `journalctl -k` (short, short-precise), `/var/log/messages`, `kern.log`:
    /// `Aug 10 21:09:11[.ffffff] host kernel: [optional stamp] message`.
    case syslog
    /// `journalctl -o short-iso[-precise]`, RFC 3339 syslog: `2024-08-10T21:09:11+02:00 host kernel: message`.
    case syslogISO
    /// `journalctl -o short-monotonic`: `[  126.417944] host kernel: message`.
    case journalShortMonotonic
    /// `journalctl -o export`.
    case journalExport
    /// `journalctl -o json` (one object per line).
    case journalJSON
    /// Bare messages, one per line (`journalctl -o cat`, journal `MESSAGE` values).
    case plain

    /// Guesses the format from the first meaningful line of `input` (skipping blank and `-- …` lines).
    public static func detect(_ input: [UInt8]) -> KernelLogFormat {
        var start = 0
        var examined = 0
        while start < input.count && examined < 50 {
            let end = input[start...].firstIndex(of: 0x0A) ?? input.count
            let line = Array(input[start..<end])
            start = end + 1
            examined += 1
            if let f = detectLine(line) { return f }
        }
        return .plain
    }

    /// The format a single line is in, or `nil` for a line that tells nothing (blank, `-- …`).
    public static func detectLine(_ line: [UInt8]) -> KernelLogFormat? {
        line.withUnsafeBufferPointer { b -> KernelLogFormat? in
            var n = b.count
            while n > 0 && (b[n - 1] == 0x0D || b[n - 1] == 0x20) { n -= 1 }
            guard n > 0 else { return nil }
            let b = UnsafeBufferPointer(rebasing: b[0..<n])
            if b.matches("-- ", at: 0) { return nil }
            let c = b[0]
            if c == UInt8(ascii: "{") { return .journalJSON }
            if isExportField(b) { return .journalExport }
            if c == UInt8(ascii: "[") {
                if let (_, end) = LinePrefix.monotonicStamp(b, at: 0) {
                    return looksLikeHostKernel(b, from: end) ? .journalShortMonotonic : .dmesg
                }
                if CivilTime.parseCtimeBracket(b, at: 0, utcOffsetSeconds: 0) != nil { return .dmesgHuman }
                return .plain
            }
            if c >= 0x30 && c <= 0x39 {
                if isKmsgRecord(b) { return .kmsg }
                if CivilTime.parseISO(b, at: 0) != nil { return .syslogISO }
                return .plain
            }
            if CivilTime.parseClassic(b, at: 0, year: nil, utcOffsetSeconds: 0) != nil { return .syslog }
            return .plain
        }
    }

    static func isExportField(_ b: ByteBuffer) -> Bool {
        guard let eq = b.index(of: UInt8(ascii: "="), from: 0), eq > 0 else { return false }
        for i in 0..<eq {
            let c = b[i]
            let ok = (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
            if !ok { return false }
        }
        return b[0] == 0x5F || (b[0] >= 0x41 && b[0] <= 0x5A)
    }

    static func isKmsgRecord(_ b: ByteBuffer) -> Bool {
        guard let (_, e1) = b.parseUnsigned(at: 0), b.matches(",", at: e1),
              let (_, e2) = b.parseUnsigned(at: e1 + 1), b.matches(",", at: e2),
              let (_, e3) = b.parseUnsigned(at: e2 + 1), b.matches(",", at: e3),
              b.index(of: UInt8(ascii: ";"), from: e3) != nil else { return false }
        return true
    }

    /// ` host kernel: ` after a stamp.
    static func looksLikeHostKernel(_ b: ByteBuffer, from i: Int) -> Bool {
        guard i < b.count, b[i] == 0x20, let sp = b.index(of: 0x20, from: i + 1), sp > i + 1 else { return false }
        return b.matches("kernel: ", at: sp + 1) || (b.matches("kernel:", at: sp + 1) && sp + 8 == b.count)
    }
}
