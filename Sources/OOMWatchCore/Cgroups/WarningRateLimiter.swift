/// Lets through at most one warning per key per interval and counts what it swallows.
/// Pure value type; time is passed in (seconds, any monotonic or wall clock). The number of
/// keys is bounded: when full, the oldest key is forgotten.
public struct WarningRateLimiter: Sendable {
    /// Minimum seconds between two warnings with the same key.
    public let intervalSeconds: Int64
    /// Maximum keys remembered.
    public let maxKeys: Int
    private var entries: [String: (lastEmitted: Int64, suppressed: Int)] = [:]

    public init(intervalSeconds: Int64 = 300, maxKeys: Int = 256) {
        self.intervalSeconds = intervalSeconds
        self.maxKeys = max(1, maxKeys)
    }

    /// Returns the number of suppressed occurrences to report if this one should be emitted,
    /// or nil if it is suppressed (and counted).
    public mutating func admit(key: String, now: Int64) -> Int? {
        if var entry = entries[key] {
            if now - entry.lastEmitted < intervalSeconds {
                entry.suppressed += 1
                entries[key] = entry
                return nil
            }
            entries[key] = (now, 0)
            return entry.suppressed
        }
        if entries.count >= maxKeys, let oldest = entries.min(by: { $0.value.lastEmitted < $1.value.lastEmitted })?.key {
            entries.removeValue(forKey: oldest)
        }
        entries[key] = (now, 0)
        return 0
    }
}
