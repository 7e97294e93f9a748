/// Compact units used inside the history rings: sizes are stored as UInt32 counts of
/// 4 KiB (`bytesPerUnit`). Kernel memory counters are whole pages, so this is exact on
/// 4 KiB and 64 KiB page systems; other values are rounded down. Values ≥ 16 TiB saturate
/// at `UInt32.max` units. Times are UInt32 seconds since the store's epoch.
public enum HistoryUnits {
    /// Bytes per stored unit.
    public static let bytesPerUnit: UInt64 = 4096

    /// Bytes → units, rounding down and saturating.
    @inline(__always)
    public static func units(_ bytes: UInt64) -> UInt32 {
        let u = bytes / bytesPerUnit
        return u >= UInt64(UInt32.max) ? UInt32.max : UInt32(u)
    }

    /// Units → bytes.
    @inline(__always)
    public static func bytes(_ units: UInt32) -> UInt64 { UInt64(units) * bytesPerUnit }
}

/// One full-resolution sample (12 bytes).
public struct FullResolutionPoint: Sendable, Hashable {
    /// Seconds since the store epoch.
    public var offset: UInt32
    /// Usage in `HistoryUnits`.
    public var usage: UInt32
    /// Working set in `HistoryUnits`.
    public var workingSet: UInt32

    public init(offset: UInt32, usage: UInt32, workingSet: UInt32) {
        self.offset = offset
        self.usage = usage
        self.workingSet = workingSet
    }
}

/// One aggregated bucket (28 bytes): min/avg/max of usage and working set.
public struct DownsampledPoint: Sendable, Hashable {
    /// Bucket start, seconds since the store epoch.
    public var offset: UInt32
    public var usageMin: UInt32
    public var usageAvg: UInt32
    public var usageMax: UInt32
    public var workingSetMin: UInt32
    public var workingSetAvg: UInt32
    public var workingSetMax: UInt32

    public init(
        offset: UInt32, usageMin: UInt32, usageAvg: UInt32, usageMax: UInt32,
        workingSetMin: UInt32, workingSetAvg: UInt32, workingSetMax: UInt32
    ) {
        self.offset = offset
        self.usageMin = usageMin
        self.usageAvg = usageAvg
        self.usageMax = usageMax
        self.workingSetMin = workingSetMin
        self.workingSetAvg = workingSetAvg
        self.workingSetMax = workingSetMax
    }
}

/// A limit value that took effect at `offset` (limits change rarely, so they are kept as a
/// short change log instead of in every point). `limit == UInt64.max` means unlimited.
public struct LimitChange: Sendable, Hashable {
    public var offset: UInt32
    public var limit: UInt64

    public init(offset: UInt32, limit: UInt64) {
        self.offset = offset
        self.limit = limit
    }
}

/// Running aggregate of the bucket being filled.
struct BucketAccumulator: Sendable {
    var start: UInt32
    var count: UInt32 = 0
    var usageSum: UInt64 = 0
    var usageMin: UInt32 = .max
    var usageMax: UInt32 = 0
    var workingSetSum: UInt64 = 0
    var workingSetMin: UInt32 = .max
    var workingSetMax: UInt32 = 0

    init(start: UInt32) { self.start = start }

    mutating func add(usage: UInt32, workingSet: UInt32) {
        count += 1
        usageSum += UInt64(usage)
        usageMin = min(usageMin, usage)
        usageMax = max(usageMax, usage)
        workingSetSum += UInt64(workingSet)
        workingSetMin = min(workingSetMin, workingSet)
        workingSetMax = max(workingSetMax, workingSet)
    }

    /// The aggregate; averages round to nearest.
    var point: DownsampledPoint {
        let n = UInt64(max(count, 1))
        return DownsampledPoint(
            offset: start,
            usageMin: count == 0 ? 0 : usageMin,
            usageAvg: UInt32((usageSum + n / 2) / n),
            usageMax: usageMax,
            workingSetMin: count == 0 ? 0 : workingSetMin,
            workingSetAvg: UInt32((workingSetSum + n / 2) / n),
            workingSetMax: workingSetMax
        )
    }
}
