/// The fields of `/proc/<pid>/stat` that the daemon reports about itself.
public struct ProcessStat: Sendable, Equatable {
    /// User-mode CPU time, in clock ticks.
    public var userTicks: UInt64
    /// Kernel-mode CPU time, in clock ticks.
    public var systemTicks: UInt64
    /// Start time after boot, in clock ticks.
    public var startTicks: UInt64
    /// Virtual memory size, bytes.
    public var virtualMemoryBytes: UInt64
    /// Resident set size, pages.
    public var residentPages: UInt64
    /// Number of threads.
    public var threads: UInt64

    /// Why a stat line could not be read.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "unreadable /proc stat line: \(reason)" }
    }

    /// Parses one `/proc/<pid>/stat` line. The comm field (2) may hold spaces and parentheses, so the
    /// fields are counted from the last `)`.
    public init(parsing line: some Collection<UInt8>) throws(ParseError) {
        let bytes = Array(line)
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { throw ParseError(reason: "no ')' after comm") }
        // Fields after comm start at field 3 (state).
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        func field(_ number: Int) throws(ParseError) -> UInt64 {
            let index = number - 3
            guard index < fields.count, let value = UInt64(decimal: fields[index]) else {
                throw ParseError(reason: "field \(number) missing or not a number")
            }
            return value
        }
        userTicks = try field(14)
        systemTicks = try field(15)
        threads = try field(20)
        startTicks = try field(22)
        virtualMemoryBytes = try field(23)
        residentPages = try field(24)
    }
}

extension UInt64 {
    /// Reads an unsigned decimal number from ASCII digits; nil for empty, non-digit or overflowing input
    /// (`CgroupFileParser.decimal` over any collection of bytes).
    public init?(decimal digits: some Collection<UInt8>) {
        guard let value = Array(digits).withUnsafeBufferPointer(CgroupFileParser.decimal) else { return nil }
        self = value
    }
}
