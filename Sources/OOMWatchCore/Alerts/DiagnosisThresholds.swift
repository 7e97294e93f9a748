/// The numbers `NodeDiagnosis` judges by; the defaults suit most nodes.
public struct DiagnosisThresholds: Sendable, Hashable, Codable {
    /// A kubelet-enforced slice limit below this fraction of node memory is a warning by itself (1 %).
    public var smallLimitFraction: Double
    /// Working set (current or peak) at or above this fraction of the limit is a warning (80 %).
    public var nearLimitWarning: Double
    /// … and at or above this fraction, critical (95 %).
    public var nearLimitCritical: Double
    /// Kills of one unit within the window from which they are "repeated" (2).
    public var repeatedKillsWarning: Int
    /// … and critical (5).
    public var repeatedKillsCritical: Int
    /// A limit within this many bytes of the reservation counts as equal (page rounding), 64 KiB.
    public var reservationToleranceBytes: Int64
    /// Headroom recommended over the observed need, as a fraction of it (25 %) …
    public var headroomFraction: Double
    /// … and at least this much (256 MiB); recommendations are rounded up to a multiple of it.
    public var minimumHeadroomBytes: Int64
    /// Swap use of a limited slice at or above this fraction of its limit is a warning (10 %).
    public var swapUsageFraction: Double

    public init(
        smallLimitFraction: Double = 0.01,
        nearLimitWarning: Double = 0.80,
        nearLimitCritical: Double = 0.95,
        repeatedKillsWarning: Int = 2,
        repeatedKillsCritical: Int = 5,
        reservationToleranceBytes: Int64 = 64 * 1024,
        headroomFraction: Double = 0.25,
        minimumHeadroomBytes: Int64 = 256 * 1024 * 1024,
        swapUsageFraction: Double = 0.10
    ) {
        self.smallLimitFraction = smallLimitFraction
        self.nearLimitWarning = nearLimitWarning
        self.nearLimitCritical = nearLimitCritical
        self.repeatedKillsWarning = repeatedKillsWarning
        self.repeatedKillsCritical = repeatedKillsCritical
        self.reservationToleranceBytes = reservationToleranceBytes
        self.headroomFraction = headroomFraction
        self.minimumHeadroomBytes = minimumHeadroomBytes
        self.swapUsageFraction = swapUsageFraction
    }
}
