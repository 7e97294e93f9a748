/// One point of a history query. For full-resolution results `usageBytes`/`workingSetBytes`
/// are the sample; for downsampled results they are the bucket averages and the min/max
/// fields are set. `limitBytes` absent means unlimited.
public struct HistoryQueryPoint: Sendable, Hashable, Codable {
    /// Unix seconds (bucket start for downsampled points).
    public var timestamp: Int64
    public var usageBytes: UInt64
    public var workingSetBytes: UInt64
    public var limitBytes: UInt64?
    public var usageMinBytes: UInt64?
    public var usageMaxBytes: UInt64?
    public var workingSetMinBytes: UInt64?
    public var workingSetMaxBytes: UInt64?

    public init(
        timestamp: Int64, usageBytes: UInt64, workingSetBytes: UInt64, limitBytes: UInt64?,
        usageMinBytes: UInt64? = nil, usageMaxBytes: UInt64? = nil,
        workingSetMinBytes: UInt64? = nil, workingSetMaxBytes: UInt64? = nil
    ) {
        self.timestamp = timestamp
        self.usageBytes = usageBytes
        self.workingSetBytes = workingSetBytes
        self.limitBytes = limitBytes
        self.usageMinBytes = usageMinBytes
        self.usageMaxBytes = usageMaxBytes
        self.workingSetMinBytes = workingSetMinBytes
        self.workingSetMaxBytes = workingSetMaxBytes
    }
}

/// The answer to `GET /history?cgroup=…&window=…` (JSON-encodable).
public struct HistoryQueryResult: Sendable, Hashable, Codable {
    /// The cgroup path queried.
    public var cgroup: String
    public var role: TrackedCgroupRole
    /// The requested window in seconds.
    public var windowSeconds: Int64
    /// Step of the returned points: the sample interval, or the bucket width when downsampled.
    public var resolutionSeconds: Int64
    /// True when points are min/avg/max buckets.
    public var downsampled: Bool
    /// Points within [now − window, now], oldest first.
    public var points: [HistoryQueryPoint]

    public init(
        cgroup: String, role: TrackedCgroupRole, windowSeconds: Int64, resolutionSeconds: Int64,
        downsampled: Bool, points: [HistoryQueryPoint]
    ) {
        self.cgroup = cgroup
        self.role = role
        self.windowSeconds = windowSeconds
        self.resolutionSeconds = resolutionSeconds
        self.downsampled = downsampled
        self.points = points
    }
}
