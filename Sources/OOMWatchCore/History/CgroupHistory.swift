/// The rolling history of one cgroup: a full-resolution ring plus aggregate rings fed
/// incrementally (O(1) per append, delta-encoded: see `DeltaRing`), and a short limit change log.
public struct CgroupHistory: Sendable {
    /// One downsampling tier's ring and the bucket it is filling.
    struct Tier: Sendable {
        let bucketSeconds: UInt32
        var ring: DeltaRing<DownsampledPoint>
        var current: BucketAccumulator?
    }

    /// Bytes reserved per full-resolution point: the offset in one byte, usage and working set moving by
    /// up to 32 MiB since the last sample in two each. Rings of busier cgroups grow (by an eighth at a time).
    public static let typicalFullResolutionRecordBytes = 5
    /// Bytes reserved per bucket: the offset in one byte, six min/avg/max fields in two or three (a bucket's
    /// minimum and maximum move further than its average). Measured on the bench's busy-node walk: 5.1 B a
    /// point and 14.6 B a bucket, so the reservation is about what 24 h of such a node fills.
    public static let typicalBucketRecordBytes = 15

    /// Structural role of the cgroup.
    public let role: TrackedCgroupRole
    /// Nominal sample interval in seconds (reported as the full-resolution step).
    public let sampleIntervalSeconds: Int
    /// Full-resolution samples.
    public private(set) var full: DeltaRing<FullResolutionPoint>
    var tiers: [Tier]
    /// The limit while it never changed (most cgroups keep one for life): kept inline, no allocation.
    private var onlyLimit: LimitChange?
    /// The log once the limit changed: the last `limitLogCapacity` changes.
    private var limitLog: RingBuffer<LimitChange>?
    /// When the history's cgroup was last seen in a poll (Unix seconds; maintained by `HistoryStore`).
    var lastSeenSeconds: Int64 = 0
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
        full = DeltaRing(
            capacity: max(1, (retention.fullResolutionSeconds + interval - 1) / interval),
            typicalRecordBytes: Self.typicalFullResolutionRecordBytes)
        tiers = retention.tiers.map {
            let width = UInt32(clamping: $0.bucketSeconds)
            return Tier(
                bucketSeconds: width,
                ring: DeltaRing(capacity: $0.capacity, offsetStep: width, typicalRecordBytes: Self.typicalBucketRecordBytes),
                current: nil)
        }
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
        if let log = limitLog {
            if log.last?.limit != limit { limitLog?.append(LimitChange(offset: offset, limit: limit)) }
        } else if let only = onlyLimit {
            if only.limit != limit {
                var log = RingBuffer<LimitChange>(capacity: Self.limitLogCapacity, initialReservation: 2)
                log.append(only)
                log.append(LimitChange(offset: offset, limit: limit))
                limitLog = log
                onlyLimit = nil
            }
        } else {
            onlyLimit = LimitChange(offset: offset, limit: limit)
        }
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
        let value: UInt64
        if let log = limitLog, let first = log.first {
            var found = first.limit
            for change in log where change.offset <= offset { found = change.limit }
            value = found
        } else if let only = onlyLimit {
            value = only.limit
        } else {
            return nil
        }
        return value == UInt64.max ? nil : value
    }

    /// The limit changes kept, oldest first (the last `limitLogCapacity`; `UInt64.max` = unlimited).
    public var limits: [LimitChange] {
        if let limitLog { return Array(limitLog) }
        return onlyLimit.map { [$0] } ?? []
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
        var total = full.reservedBytes + Self.allocationOverhead + (limitLog.map { $0.reservedBytes + Self.allocationOverhead } ?? 0)
        total += tiers.count * MemoryLayout<Tier>.stride + Self.allocationOverhead
        for tier in tiers { total += tier.ring.reservedBytes + Self.allocationOverhead }
        return total
    }

    /// Bytes of delta-encoded records in the rings (what `approximateMemoryBytes` reserves room for).
    public var encodedBytes: Int { tiers.reduce(full.encodedBytes) { $0 + $1.ring.encodedBytes } }

    /// Points held in the rings.
    public var storedPoints: Int { tiers.reduce(full.count) { $0 + $1.ring.count } }

    /// The most heap this history can take: every point's differences at their largest and a full limit log.
    public var worstCaseMemoryBytes: Int {
        var total = DeltaRing<FullResolutionPoint>.worstCaseBytes(capacity: full.capacity) + Self.allocationOverhead
        total += Self.limitLogCapacity * MemoryLayout<LimitChange>.stride + Self.allocationOverhead
        total += tiers.count * MemoryLayout<Tier>.stride + Self.allocationOverhead
        for tier in tiers { total += DeltaRing<DownsampledPoint>.worstCaseBytes(capacity: tier.ring.capacity) + Self.allocationOverhead }
        return total
    }

    /// Array header and malloc bookkeeping per allocation.
    static let allocationOverhead = 32
}
