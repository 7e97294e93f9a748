/// Pure parsers for the cgroup memory files and /proc/meminfo. They work on raw bytes
/// (no String per line, no Foundation), accept a trailing newline or none, ignore unknown
/// keys (kernels add keys over time), and throw `CgroupParseError` on malformed input.
public enum CgroupFileParser {
    // MARK: single values

    /// Parses a single unsigned decimal (e.g. `memory.usage_in_bytes`, `memory.current`, `memory.failcnt`).
    public static func parseUInt64(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> UInt64 {
        let trimmed = trim(bytes)
        guard !trimmed.isEmpty else { throw .empty }
        guard let value = decimal(trimmed) else { throw .invalidNumber(line: 1) }
        return value
    }

    /// Parses a limit file: v2 `max` or a number (v1 sentinel-sized numbers per `CgroupLimitRule`).
    /// Returns nil for "no limit".
    public static func parseLimit(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> UInt64? {
        let trimmed = trim(bytes)
        guard !trimmed.isEmpty else { throw .empty }
        if equals(trimmed, "max") { return nil }
        guard let value = decimal(trimmed) else { throw .invalidNumber(line: 1) }
        return CgroupLimitRule.limit(fromRaw: value)
    }

    // MARK: flat-keyed files

    /// Calls `visit(key, value, line)` for each `key value` line of a flat-keyed file
    /// (memory.stat, memory.events, memory.oom_control). Blank lines are skipped; a non-blank
    /// line without a space throws. The value bytes are passed raw (parse with `decimal`).
    public static func forEachKeyValue(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ visit: (_ key: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>, _ line: Int) throws(CgroupParseError) -> Void
    ) throws(CgroupParseError) {
        var lineNumber = 0
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            let line = trim(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            if !line.isEmpty {
                var space = 0
                while space < line.count && line[space] != 0x20 && line[space] != 0x09 { space += 1 }
                guard space < line.count else { throw .malformedLine(line: lineNumber) }
                let key = UnsafeBufferPointer(rebasing: line[0..<space])
                let value = trim(UnsafeBufferPointer(rebasing: line[space..<line.count]))
                try visit(key, value, lineNumber)
            }
            start = end + 1
        }
        if lineNumber == 0 { throw .empty }
    }

    /// Parses cgroup v1 `memory.stat` (needs at least one of rss/total_rss).
    public static func parseV1Stat(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> V1MemoryStat {
        var stat = V1MemoryStat()
        try forEachKeyValue(bytes) { (key, value, line) throws(CgroupParseError) in
            // Cheap first-byte dispatch before comparing whole keys.
            guard let first = key.first, first == UInt8(ascii: "r") || first == UInt8(ascii: "c")
                || first == UInt8(ascii: "i") || first == UInt8(ascii: "s") || first == UInt8(ascii: "t") else { return }
            if equals(key, "total_rss") { stat.totalRSS = try number(value, line) }
            else if equals(key, "total_cache") { stat.totalCache = try number(value, line) }
            else if equals(key, "total_inactive_file") { stat.totalInactiveFile = try number(value, line) }
            else if equals(key, "total_swap") { stat.totalSwap = try number(value, line) }
            else if equals(key, "rss") { stat.rss = try number(value, line) }
            else if equals(key, "cache") { stat.cache = try number(value, line) }
            else if equals(key, "inactive_file") { stat.inactiveFile = try number(value, line) }
            else if equals(key, "swap") { stat.swap = try number(value, line) }
        }
        if stat.effectiveRSS == nil { throw .missingKey("rss") }
        return stat
    }

    /// Parses cgroup v2 `memory.stat` (needs `anon`).
    public static func parseV2Stat(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> V2MemoryStat {
        var stat = V2MemoryStat()
        try forEachKeyValue(bytes) { (key, value, line) throws(CgroupParseError) in
            if equals(key, "anon") { stat.anon = try number(value, line) }
            else if equals(key, "file") { stat.file = try number(value, line) }
            else if equals(key, "inactive_file") { stat.inactiveFile = try number(value, line) }
        }
        if stat.anon == nil { throw .missingKey("anon") }
        return stat
    }

    /// Parses cgroup v1 `memory.oom_control` (needs `oom_kill_disable` and `under_oom`).
    public static func parseV1OOMControl(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> V1OOMControl {
        var disable: UInt64?
        var under: UInt64?
        var kills: UInt64?
        try forEachKeyValue(bytes) { (key, value, line) throws(CgroupParseError) in
            if equals(key, "oom_kill_disable") { disable = try number(value, line) }
            else if equals(key, "under_oom") { under = try number(value, line) }
            else if equals(key, "oom_kill") { kills = try number(value, line) }
        }
        guard let disable else { throw .missingKey("oom_kill_disable") }
        guard let under else { throw .missingKey("under_oom") }
        return V1OOMControl(oomKillDisable: disable != 0, underOOM: under != 0, oomKill: kills)
    }

    /// Parses cgroup v2 `memory.events` (or `memory.events.local`); needs `oom_kill`.
    public static func parseV2Events(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> V2MemoryEvents {
        var events = V2MemoryEvents()
        try forEachKeyValue(bytes) { (key, value, line) throws(CgroupParseError) in
            if equals(key, "low") { events.low = try number(value, line) }
            else if equals(key, "high") { events.high = try number(value, line) }
            else if equals(key, "max") { events.max = try number(value, line) }
            else if equals(key, "oom") { events.oom = try number(value, line) }
            else if equals(key, "oom_kill") { events.oomKill = try number(value, line) }
            else if equals(key, "oom_group_kill") { events.oomGroupKill = try number(value, line) }
        }
        if events.oomKill == nil { throw .missingKey("oom_kill") }
        return events
    }

    // MARK: PSI

    /// Parses a PSI file: `some avg10=0.00 avg60=0.00 avg300=0.00 total=0` and an optional `full` line.
    public static func parsePressure(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> PressureStall {
        var some: PressureStallLine?
        var full: PressureStallLine?
        try forEachKeyValue(bytes) { (key, value, line) throws(CgroupParseError) in
            if equals(key, "some") { some = try pressureLine(value, line) }
            else if equals(key, "full") { full = try pressureLine(value, line) }
        }
        guard let some else { throw .missingKey("some") }
        return PressureStall(some: some, full: full)
    }

    private static func pressureLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Int) throws(CgroupParseError) -> PressureStallLine {
        var avg10: Double?
        var avg60: Double?
        var avg300: Double?
        var total: UInt64?
        var start = 0
        let count = bytes.count
        while start < count {
            while start < count && bytes[start] == 0x20 { start += 1 }
            var end = start
            while end < count && bytes[end] != 0x20 { end += 1 }
            if end > start {
                let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
                var eq = 0
                while eq < field.count && field[eq] != UInt8(ascii: "=") { eq += 1 }
                guard eq < field.count else { throw .malformedLine(line: line) }
                let name = UnsafeBufferPointer(rebasing: field[0..<eq])
                let value = UnsafeBufferPointer(rebasing: field[(eq + 1)..<field.count])
                if equals(name, "avg10") { avg10 = try fixedPoint(value, line) }
                else if equals(name, "avg60") { avg60 = try fixedPoint(value, line) }
                else if equals(name, "avg300") { avg300 = try fixedPoint(value, line) }
                else if equals(name, "total") { total = try number(value, line) }
            }
            start = end
        }
        guard let avg10 else { throw .missingKey("avg10") }
        guard let avg60 else { throw .missingKey("avg60") }
        guard let avg300 else { throw .missingKey("avg300") }
        guard let total else { throw .missingKey("total") }
        return PressureStallLine(avg10: avg10, avg60: avg60, avg300: avg300, totalMicros: total)
    }

    // MARK: /proc/meminfo

    /// Parses `/proc/meminfo` (`Key:   123 kB` lines; values converted to bytes). Needs MemTotal.
    public static func parseMeminfo(_ bytes: UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> NodeMemoryInfo {
        var info = NodeMemoryInfo(memTotalBytes: 0)
        var sawTotal = false
        var lineNumber = 0
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            let line = trim(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            start = end + 1
            if line.isEmpty { continue }
            var colon = 0
            while colon < line.count && line[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon < line.count else { throw .malformedLine(line: lineNumber) }
            let key = UnsafeBufferPointer(rebasing: line[0..<colon])
            var rest = trim(UnsafeBufferPointer(rebasing: line[(colon + 1)..<line.count]))
            var multiplier: UInt64 = 1
            if rest.count >= 2, rest[rest.count - 2] == UInt8(ascii: "k"), rest[rest.count - 1] == UInt8(ascii: "B") {
                multiplier = 1024
                rest = trim(UnsafeBufferPointer(rebasing: rest[0..<(rest.count - 2)]))
            }
            func bytesValue() throws(CgroupParseError) -> UInt64 {
                guard let v = decimal(rest) else { throw .invalidNumber(line: lineNumber) }
                let (product, overflow) = v.multipliedReportingOverflow(by: multiplier)
                guard !overflow else { throw .invalidNumber(line: lineNumber) }
                return product
            }
            if equals(key, "MemTotal") { info.memTotalBytes = try bytesValue(); sawTotal = true }
            else if equals(key, "MemFree") { info.memFreeBytes = try bytesValue() }
            else if equals(key, "MemAvailable") { info.memAvailableBytes = try bytesValue() }
            else if equals(key, "Buffers") { info.buffersBytes = try bytesValue() }
            else if equals(key, "Cached") { info.cachedBytes = try bytesValue() }
            else if equals(key, "AnonPages") { info.anonPagesBytes = try bytesValue() }
            else if equals(key, "Inactive(file)") { info.inactiveFileBytes = try bytesValue() }
            else if equals(key, "SwapTotal") { info.swapTotalBytes = try bytesValue() }
            else if equals(key, "SwapFree") { info.swapFreeBytes = try bytesValue() }
        }
        if lineNumber == 0 { throw .empty }
        guard sawTotal else { throw .missingKey("MemTotal") }
        return info
    }

    // MARK: [UInt8] conveniences

    /// `parseUInt64` over an array.
    public static func parseUInt64(_ bytes: [UInt8]) throws(CgroupParseError) -> UInt64 {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parseUInt64(b) }
    }
    /// `parseLimit` over an array.
    public static func parseLimit(_ bytes: [UInt8]) throws(CgroupParseError) -> UInt64? {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parseLimit(b) }
    }
    /// `parseV1Stat` over an array.
    public static func parseV1Stat(_ bytes: [UInt8]) throws(CgroupParseError) -> V1MemoryStat {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parseV1Stat(b) }
    }
    /// `parseV2Stat` over an array.
    public static func parseV2Stat(_ bytes: [UInt8]) throws(CgroupParseError) -> V2MemoryStat {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parseV2Stat(b) }
    }
    /// `parseV1OOMControl` over an array.
    public static func parseV1OOMControl(_ bytes: [UInt8]) throws(CgroupParseError) -> V1OOMControl {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parseV1OOMControl(b) }
    }
    /// `parseV2Events` over an array.
    public static func parseV2Events(_ bytes: [UInt8]) throws(CgroupParseError) -> V2MemoryEvents {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parseV2Events(b) }
    }
    /// `parsePressure` over an array.
    public static func parsePressure(_ bytes: [UInt8]) throws(CgroupParseError) -> PressureStall {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parsePressure(b) }
    }
    /// `parseMeminfo` over an array.
    public static func parseMeminfo(_ bytes: [UInt8]) throws(CgroupParseError) -> NodeMemoryInfo {
        try withBuffer(bytes) { (b) throws(CgroupParseError) in try parseMeminfo(b) }
    }

    // MARK: byte helpers

    /// Parses an unsigned decimal with no sign and no spaces; nil if empty, non-digit or overflowing.
    public static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Int) throws(CgroupParseError) -> UInt64 {
        guard let value = decimal(bytes) else { throw .invalidNumber(line: line) }
        return value
    }

    /// Parses `12.34` (digits, optional fraction) as used by PSI averages.
    private static func fixedPoint(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Int) throws(CgroupParseError) -> Double {
        var dot = 0
        while dot < bytes.count && bytes[dot] != UInt8(ascii: ".") { dot += 1 }
        guard let integer = decimal(UnsafeBufferPointer(rebasing: bytes[0..<dot])) else { throw .invalidNumber(line: line) }
        guard dot < bytes.count else { return Double(integer) }
        let fractionBytes = UnsafeBufferPointer(rebasing: bytes[(dot + 1)..<bytes.count])
        guard fractionBytes.count <= 9, let fraction = decimal(fractionBytes) else { throw .invalidNumber(line: line) }
        var scale = 1.0
        for _ in 0..<fractionBytes.count { scale *= 10 }
        return Double(integer) + Double(fraction) / scale
    }

    private static func trim(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0
        var upper = bytes.count
        while lower < upper && isSpace(bytes[lower]) { lower += 1 }
        while upper > lower && isSpace(bytes[upper - 1]) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[lower..<upper])
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x00
    }

    /// Byte-wise comparison of a key with an ASCII literal.
    @inline(__always)
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let lit = literal.utf8Start
        for i in 0..<count where bytes[i] != lit[i] { return false }
        return true
    }

    private static func withBuffer<R>(
        _ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> R
    ) throws(CgroupParseError) -> R {
        let result: Result<R, CgroupParseError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(CgroupParseError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
