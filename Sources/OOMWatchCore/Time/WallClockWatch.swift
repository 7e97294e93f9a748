/// Notices the wall clock (CLOCK_REALTIME) being stepped, by NTP at boot or by hand, by comparing how
/// far it moved between two readings with how far a clock that is never set moved (the continuous,
/// boot-time clock, which also counts suspend, so a resumed machine is not mistaken for a step).
/// Slewing (NTP's gradual correction, at most 0.5 ms per second) stays far below the tolerance.
public struct WallClockWatch: Sendable {
    /// Steps smaller than this many seconds are ignored.
    public let toleranceSeconds: Double
    private var last: (wall: Double, continuous: Double)?

    public init(toleranceSeconds: Double = 2) {
        self.toleranceSeconds = toleranceSeconds
    }

    /// Takes one reading of both clocks (seconds); returns the wall clock's step since the previous
    /// reading (negative: stepped back) when it exceeds the tolerance, else nil.
    public mutating func observe(wallSeconds: Double, continuousSeconds: Double) -> Double? {
        defer { last = (wallSeconds, continuousSeconds) }
        guard let last else { return nil }
        let step = (wallSeconds - last.wall) - (continuousSeconds - last.continuous)
        return abs(step) > toleranceSeconds ? step : nil
    }
}
