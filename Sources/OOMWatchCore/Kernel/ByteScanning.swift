/// Allocation-free helpers for scanning raw kernel-message bytes.
///
/// All functions are bounds-checked: indexes outside the buffer yield `nil`/`false`,
/// never a trap, so hostile input cannot crash a parser built on them.
typealias ByteBuffer = UnsafeBufferPointer<UInt8>

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether `literal` occurs at `index`.
    @inline(__always)
    func matches(_ literal: StaticString, at index: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard index >= 0, n <= count - index else { return false }
        let lit = literal.utf8Start
        var i = 0
        while i < n {
            if self[index + i] != lit[i] { return false }
            i += 1
        }
        return true
    }

    /// First index of `literal` in `from..<to` (the whole literal must fit before `to`).
    func find(_ literal: StaticString, from: Int = 0, to: Int? = nil) -> Int? {
        let end = Swift.min(to ?? count, count)
        let n = literal.utf8CodeUnitCount
        guard n > 0, from >= 0, end - from >= n else { return nil }
        let first = literal.utf8Start[0]
        var i = from
        let last = end - n
        while i <= last {
            if self[i] == first && matches(literal, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// Last index of `literal` whose start is in `from...` and which ends before `to`.
    func findLast(_ literal: StaticString, from: Int = 0, to: Int? = nil) -> Int? {
        let end = Swift.min(to ?? count, count)
        let n = literal.utf8CodeUnitCount
        guard n > 0, from >= 0, end - from >= n else { return nil }
        var i = end - n
        while i >= from {
            if matches(literal, at: i) { return i }
            i -= 1
        }
        return nil
    }

    /// First index of `byte` in `from..<to`.
    @inline(__always)
    func index(of byte: UInt8, from: Int, to: Int? = nil) -> Int? {
        let end = Swift.min(to ?? count, count)
        var i = Swift.max(from, 0)
        while i < end {
            if self[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// Parses an unsigned decimal at `index`; returns the value and the index after it.
    /// Saturates instead of overflowing.
    func parseUnsigned(at index: Int) -> (value: UInt64, end: Int)? {
        var i = index
        var value: UInt64 = 0
        var digits = 0
        while i < count {
            let c = self[i]
            guard c >= 0x30 && c <= 0x39 else { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            value = (o1 || o2) ? UInt64.max : a
            i += 1
            digits += 1
        }
        return digits > 0 ? (value, i) : nil
    }

    /// Parses an optionally negative decimal at `index`, clamped to `Int` range.
    func parseSigned(at index: Int) -> (value: Int, end: Int)? {
        guard index < count else { return nil }
        if self[index] == UInt8(ascii: "-") {
            guard let (v, e) = parseUnsigned(at: index + 1) else { return nil }
            return (v > UInt64(Int.max) ? Int.min : -Int(v), e)
        }
        if self[index] == UInt8(ascii: "+") {
            guard let (v, e) = parseUnsigned(at: index + 1) else { return nil }
            return (v > UInt64(Int.max) ? Int.max : Int(v), e)
        }
        guard let (v, e) = parseUnsigned(at: index) else { return nil }
        return (v > UInt64(Int.max) ? Int.max : Int(v), e)
    }

    /// Parses `<digits>kB` at `index` (the unit is required).
    func parseKilobytes(at index: Int) -> (value: UInt64, end: Int)? {
        guard let (v, e) = parseUnsigned(at: index), matches("kB", at: e) else { return nil }
        return (v, e + 2)
    }

    /// The bytes `range` as an array.
    @inline(__always)
    func bytes(_ range: Range<Int>) -> [UInt8] {
        let lo = Swift.max(0, Swift.min(range.lowerBound, count))
        let hi = Swift.max(lo, Swift.min(range.upperBound, count))
        return Array(self[lo..<hi])
    }

    /// The bytes `range` as a display string (invalid UTF-8 escaped as `\xNN`).
    func text(_ range: Range<Int>) -> String {
        EscapedText.string(from: bytes(range))
    }
}

/// Text escaping shared by `ProcessName` and every string taken from kernel bytes.
///
/// Valid UTF-8 is kept as is, except C0 control bytes and DEL; those and every byte
/// that is not part of a valid UTF-8 sequence become `\xNN` (two lower-case hex digits).
public enum EscapedText {
    /// Renders `bytes` as a `String`, escaping invalid UTF-8 and control bytes as `\xNN`.
    public static func string(from bytes: [UInt8]) -> String {
        // Fast path: printable ASCII only.
        var simple = true
        for b in bytes where b < 0x20 || b >= 0x7f {
            simple = false
            break
        }
        if simple { return String(decoding: bytes, as: UTF8.self) }

        var out = String()
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x20 || b == 0x7f {
                appendHex(b, to: &out)
                i += 1
                continue
            }
            if b < 0x80 {
                out.unicodeScalars.append(Unicode.Scalar(b))
                i += 1
                continue
            }
            let len = validSequenceLength(bytes, at: i)
            if len == 0 {
                appendHex(b, to: &out)
                i += 1
            } else {
                out += String(decoding: bytes[i..<(i + len)], as: UTF8.self)
                i += len
            }
        }
        return out
    }

    /// Reverses `string(from:)`: `\xNN` becomes the byte NN, everything else its UTF-8.
    public static func bytes(from string: String) -> [UInt8] {
        let utf8 = Array(string.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count, utf8[i + 1] == UInt8(ascii: "x"),
               let hi = hexValue(utf8[i + 2]), let lo = hexValue(utf8[i + 3]) {
                out.append(hi << 4 | lo)
                i += 4
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return out
    }

    /// Decodes kernel-style `\xNN` escapes (as written by /dev/kmsg and dmesg) into raw bytes.
    public static func unescapeKernel(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\\")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"),
               let hi = hexValue(bytes[i + 2]), let lo = hexValue(bytes[i + 3]) {
                out.append(hi << 4 | lo)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    private static func appendHex(_ b: UInt8, to out: inout String) {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        out += "\\x"
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xf)])
    }

    /// Length of the valid UTF-8 sequence starting at `i`, or 0 if invalid.
    private static func validSequenceLength(_ s: [UInt8], at i: Int) -> Int {
        let b0 = s[i]
        let n = s.count
        func cont(_ k: Int) -> Bool { k < n && s[k] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF:
            return cont(i + 1) ? 2 : 0
        case 0xE0:
            return i + 1 < n && s[i + 1] >= 0xA0 && s[i + 1] <= 0xBF && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED:
            return i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F && cont(i + 2) ? 3 : 0
        case 0xF0:
            return i + 1 < n && s[i + 1] >= 0x90 && s[i + 1] <= 0xBF && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4:
            return i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x8F && cont(i + 2) && cont(i + 3) ? 4 : 0
        default:
            return 0
        }
    }
}
