import Foundation

/// Counts OOM kills per owner within a sliding time window, for the `CgroupOOMKills` alert.
/// Bounded: at most `maxOwners` owners (the one with the oldest last kill is dropped first) and
/// `maxKillsPerOwner` remembered kill times per owner (counts saturate there).
public struct KillWindowCounter: Sendable {
    /// The window kills are counted in.
    public let window: Duration
    /// The most owners remembered.
    public let maxOwners: Int
    /// The most kill times remembered per owner.
    public let maxKillsPerOwner: Int
    private var killTimes: [String: [Date]] = [:]

    public init(window: Duration, maxOwners: Int = 10_000, maxKillsPerOwner: Int = 1_000) {
        self.window = window
        self.maxOwners = max(1, maxOwners)
        self.maxKillsPerOwner = max(1, maxKillsPerOwner)
    }

    /// Records a kill of `owner` at `time` (kills may arrive out of order, e.g. when replayed).
    public mutating func record(owner: String, at time: Date) {
        var times = killTimes[owner] ?? []
        if let last = times.last, last > time {
            let index = times.firstIndex { $0 > time } ?? times.endIndex
            times.insert(time, at: index)
        } else {
            times.append(time)
        }
        if times.count > maxKillsPerOwner { times.removeFirst(times.count - maxKillsPerOwner) }
        killTimes[owner] = times
        if killTimes.count > maxOwners, let oldest = killTimes.min(by: { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) })?.key {
            killTimes[oldest] = nil
        }
    }

    /// Kills per owner within the window ending at `now` (owners with none are left out).
    /// Forgets kills that have left the window.
    public mutating func counts(now: Date) -> [String: Int] {
        let start = now.addingTimeInterval(-Self.seconds(window))
        var result: [String: Int] = [:]
        for (owner, times) in killTimes {
            let kept = times.drop { $0 <= start }
            if kept.isEmpty {
                killTimes[owner] = nil
                continue
            }
            if kept.count != times.count { killTimes[owner] = Array(kept) }
            let inWindow = kept.filter { $0 <= now }.count
            if inWindow > 0 { result[owner] = inWindow }
        }
        return result
    }

    /// Kills of `owner` within the window ending at `now`.
    public func count(owner: String, now: Date) -> Int {
        let start = now.addingTimeInterval(-Self.seconds(window))
        return killTimes[owner]?.filter { $0 > start && $0 <= now }.count ?? 0
    }

    /// How many owners are remembered.
    public var ownerCount: Int { killTimes.count }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
