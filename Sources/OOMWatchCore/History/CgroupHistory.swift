/// The rolling history of one cgroup: a full-resolution ring plus aggregate rings fed
/// incrementally (O(1) per append, no allocation after init), and a short limit change log.
public struct CgroupHistory: Sendable {
    /// One downsampling tier's ring and the bucket it is filling.
    struct Tier: Sendable {
        let bucketSeconds: UInt32
        var ring: RingBuffer<DownsampledPoint>
        var current: BucketAccumulator?
    }

    /// Structural role of the cgroup.
    public let role: TrackedCgroupRole
    /// Nominal sample interval in seconds (reported as the full-resolution step).
    public let sampleIntervalSeconds: Int
    /// Full-resolution samples.
    public private(set) var full: RingBuffer<FullResolutionPoint>
    var tiers: [Tier]
    /// Limit changes, oldest first.
    public private(set) var limits: RingBuffer<LimitChange>
    /// Offset of the latest appended sample, nil before the first.
    public private(set) var lastOffset: UInt32?
    /// Samples refused because their time went backwards.
    public private(set) var outOfOrderDropped: Int = 0

    /// Limit change log size.
    public static let limitLogCapacity = 8

    /// Creates an empty history sized by `retention` for samples every `sampleIntervalSeconds`.
    public init(role: TrackedCgroupRole, retention: HistoryRetention, sampleIntervalSeconds: Int) {
        self.role = role
        let interval = max(1, sampleIntervalSeconds)
        self.sampleIntervalSeconds = interval
        full = RingBuffer(capacity: max(1, (retention.fullResolutionSeconds + interval - 1) / interval))
        tiers = retention.tiers.map {
            Tier(bucketSeconds: UInt32(clamping: $0.bucketSeconds), ring: RingBuffer(capacity: $0.capacity), current: nil)
        }
        // Most cgroups keep one limit for life: room for one change, grown if the limit moves.
        limits = RingBuffer(capacity: Self.limitLogCapacity, initialReservation: 1)
    }

    /// Appends one sample at `offset` seconds since the store epoch. Samples older than the
    /// last one are dropped (counted); equal times are accepted.
    public mutating func append(offset: UInt32, usageBytes: UInt64, workingSetBytes: UInt64, limitBytes: UInt64?) {
        if let last = lastOffset, offset < last {
            outOfOrderDropped += 1
            return
        }
        lastOffset = offset
        let usage = HistoryUnits.units(usageBytes)
        let workingSet = HistoryUnits.units(workingSetBytes)
        full.append(FullResolutionPoint(offset: offset, usage: usage, workingSet: workingSet))
        let limit = limitBytes ?? UInt64.max
        if limits.last?.limit != limit { limits.append(LimitChange(offset: offset, limit: limit)) }
        for i in tiers.indices {
            let width = tiers[i].bucketSeconds
            let start = offset - offset % width
            if let current = tiers[i].current, current.start != start {
                tiers[i].ring.append(current.point)
                tiers[i].current = nil
            }
            if tiers[i].current == nil { tiers[i].current = BucketAccumulator(start: start) }
            tiers[i].current?.add(usage: usage, workingSet: workingSet)
        }
    }

    /// The limit in force at `offset` (nil = unlimited). Before the first logged change, the
    /// oldest known value is used.
    public func limit(at offset: UInt32) -> UInt64? {
        guard !limits.isEmpty else { return nil }
        var value = limits[0].limit
        for change in limits where change.offset <= offset { value = change.limit }
        return value == UInt64.max ? nil : value
    }

    /// Seconds covered by the full-resolution ring when full.
    public var fullResolutionSpanSeconds: Int { full.capacity * sampleIntervalSeconds }

    /// Bucket widths of the downsampled tiers, finest first.
    public var tierBucketSeconds: [Int] { tiers.map { Int($0.bucketSeconds) } }

    /// Closed buckets of tier `index`, plus the bucket being filled (last), oldest first.
    public func downsampledPoints(tier index: Int) -> [DownsampledPoint] {
        guard tiers.indices.contains(index) else { return [] }
        var points = Array(tiers[index].ring)
        if let current = tiers[index].current { points.append(current.point) }
        return points
    }

    /// Approximate heap bytes held by this history (ring storage plus allocation headers).
    public var approximateMemoryBytes: Int {
        let allocationOverhead = 32
        var total = full.reservedBytes + allocationOverhead + limits.reservedBytes + allocationOverhead
        total += tiers.count * MemoryLayout<Tier>.stride + allocationOverhead
        for tier in tiers { total += tier.ring.reservedBytes + allocationOverhead }
        return total
    }
}
