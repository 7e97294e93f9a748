/// Conversion of the timestamp formats found in kernel logs to µs since the Unix epoch,
/// without Foundation (no locale, no time-zone database: offsets are explicit).
enum CivilTime {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func micros(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micro: Int, utcOffsetSeconds: Int) -> Int64 {
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(utcOffsetSeconds)
        return secs * 1_000_000 + Int64(micro)
    }

    /// `Jan`…`Dec` at `i` → 1…12.
    static func month(_ b: ByteBuffer, at i: Int) -> Int? {
        guard i + 3 <= b.count else { return nil }
        let names: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        for (k, name) in names.enumerated() where b.matches(name, at: i) { return k + 1 }
        return nil
    }

    static func fixedDigits(_ b: ByteBuffer, at i: Int, count n: Int) -> Int? {
        guard i >= 0, i + n <= b.count else { return nil }
        var v = 0
        for k in 0..<n {
            let c = b[i + k]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    /// `HH:MM:SS[.ffffff]` at `i`; returns h, m, s, µs and the end index.
    static func clock(_ b: ByteBuffer, at i: Int, fractionSeparators: [UInt8] = [0x2E]) -> (Int, Int, Int, Int, Int)? {
        guard let h = fixedDigits(b, at: i, count: 2), b.matches(":", at: i + 2),
              let m = fixedDigits(b, at: i + 3, count: 2), b.matches(":", at: i + 5),
              let s = fixedDigits(b, at: i + 6, count: 2), h < 24, m < 60, s < 61 else { return nil }
        var j = i + 8
        var micro = 0
        if j < b.count, fractionSeparators.contains(b[j]) {
            var digits = 0
            j += 1
            while j < b.count, b[j] >= 0x30, b[j] <= 0x39 {
                if digits < 6 { micro = micro * 10 + Int(b[j] - 0x30) }
                digits += 1
                j += 1
            }
            guard digits > 0 else { return nil }
            while digits < 6 { micro *= 10; digits += 1 }
        }
        return (h, m, s, micro, j)
    }

    /// Classic syslog `Aug 10 21:09:11[.ffffff]` (day may be space-padded).
    static func parseClassic(_ b: ByteBuffer, at i: Int, year: Int?, utcOffsetSeconds: Int) -> (Int64?, Int)? {
        guard let mon = month(b, at: i), b.matches(" ", at: i + 3) else { return nil }
        var j = i + 4
        if j < b.count && b[j] == 0x20 { j += 1 }
        guard let (day, e) = b.parseUnsigned(at: j), day >= 1, day <= 31, e - j <= 2, b.matches(" ", at: e),
              let (h, m, s, us, end) = clock(b, at: e + 1) else { return nil }
        guard let year else { return (nil, end) }
        return (micros(year: year, month: mon, day: Int(day), hour: h, minute: m, second: s, micro: us, utcOffsetSeconds: utcOffsetSeconds), end)
    }

    /// ISO 8601 / RFC 3339 `2024-08-10T21:09:11[.,ffffff](Z|±hh:mm|±hhmm)`; a missing zone means UTC.
    static func parseISO(_ b: ByteBuffer, at i: Int) -> (Int64, Int)? {
        guard let y = fixedDigits(b, at: i, count: 4), b.matches("-", at: i + 4),
              let mo = fixedDigits(b, at: i + 5, count: 2), b.matches("-", at: i + 7),
              let d = fixedDigits(b, at: i + 8, count: 2), i + 10 < b.count,
              b[i + 10] == UInt8(ascii: "T") || b[i + 10] == 0x20,
              (1...12).contains(mo), (1...31).contains(d),
              let (h, m, s, us, e) = clock(b, at: i + 11, fractionSeparators: [0x2E, 0x2C]) else { return nil }
        var j = e
        var offset = 0
        if j < b.count && b[j] == UInt8(ascii: "Z") {
            j += 1
        } else if j < b.count && (b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-")) {
            let sign = b[j] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = fixedDigits(b, at: j + 1, count: 2) else { return nil }
            var om = 0
            if b.matches(":", at: j + 3), let v = fixedDigits(b, at: j + 4, count: 2) {
                om = v
                j += 6
            } else if let v = fixedDigits(b, at: j + 3, count: 2) {
                om = v
                j += 5
            } else {
                j += 3
            }
            offset = sign * (oh * 3600 + om * 60)
        }
        return (micros(year: y, month: mo, day: d, hour: h, minute: m, second: s, micro: us, utcOffsetSeconds: offset), j)
    }

    /// `dmesg -T` / ctime: `[Mon Aug 31 18:23:18 2015]` at `i` (including brackets).
    static func parseCtimeBracket(_ b: ByteBuffer, at i: Int, utcOffsetSeconds: Int) -> (Int64, Int)? {
        guard b.matches("[", at: i), i + 5 < b.count, b[i + 4] == 0x20, let mon = month(b, at: i + 5),
              b.matches(" ", at: i + 8) else { return nil }
        var j = i + 9
        if j < b.count && b[j] == 0x20 { j += 1 }
        guard let (day, e) = b.parseUnsigned(at: j), day >= 1, day <= 31, b.matches(" ", at: e),
              let (h, m, s, us, e2) = clock(b, at: e + 1, fractionSeparators: [0x2E, 0x2C]), b.matches(" ", at: e2),
              let y = fixedDigits(b, at: e2 + 1, count: 4), b.matches("]", at: e2 + 5) else { return nil }
        return (micros(year: y, month: mon, day: Int(day), hour: h, minute: m, second: s, micro: us, utcOffsetSeconds: utcOffsetSeconds), e2 + 6)
    }
}

/// A UTC calendar date and time from Unix seconds (proleptic Gregorian; Howard Hinnant's algorithm).
struct CivilDate {
    var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64

    init(unixSeconds: Int64) {
        var days = unixSeconds / 86_400
        var rest = unixSeconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        hour = rest / 3600
        minute = (rest % 3600) / 60
        second = rest % 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}
