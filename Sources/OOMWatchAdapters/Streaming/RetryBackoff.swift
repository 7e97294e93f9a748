/// Exponential backoff for retrying an open: `initialSeconds`, doubled per failure, capped.
public struct RetryBackoff: Sendable, Hashable {
    /// Delay after the first failure.
    public var initialSeconds: Double
    /// Upper bound of the delay.
    public var maximumSeconds: Double

    /// Creates a backoff policy.
    public init(initialSeconds: Double = 0.5, maximumSeconds: Double = 30) {
        self.initialSeconds = max(0.001, initialSeconds)
        self.maximumSeconds = max(self.initialSeconds, maximumSeconds)
    }

    /// The delay before retry number `attempt` (0-based).
    public func delay(attempt: Int) -> Double {
        let exponent = Double(min(max(attempt, 0), 30))
        return min(maximumSeconds, initialSeconds * pow2(exponent))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        var remaining = Int(exponent)
        while remaining > 0 { value *= 2; remaining -= 1 }
        return value
    }
}
