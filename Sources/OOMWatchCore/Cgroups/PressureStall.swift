/// One line of a PSI file (`some` or `full`): the share of wall time in which tasks
/// stalled on memory, averaged over 10/60/300 s, and the cumulative stall time.
public struct PressureStallLine: Sendable, Hashable, Codable {
    /// Percentage (0–100) over the last 10 seconds.
    public var avg10: Double
    /// Percentage (0–100) over the last 60 seconds.
    public var avg60: Double
    /// Percentage (0–100) over the last 300 seconds.
    public var avg300: Double
    /// Cumulative stall time in microseconds.
    public var totalMicros: UInt64

    public init(avg10: Double, avg60: Double, avg300: Double, totalMicros: UInt64) {
        self.avg10 = avg10
        self.avg60 = avg60
        self.avg300 = avg300
        self.totalMicros = totalMicros
    }
}

/// Memory pressure stall information (cgroup v2 `memory.pressure`, `/proc/pressure/memory`).
public struct PressureStall: Sendable, Hashable, Codable {
    /// Some tasks stalled.
    public var some: PressureStallLine
    /// All non-idle tasks stalled at once; absent on kernels/files that only print `some`.
    public var full: PressureStallLine?

    public init(some: PressureStallLine, full: PressureStallLine?) {
        self.some = some
        self.full = full
    }
}
