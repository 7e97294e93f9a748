/// One downsampling tier: fixed-width time buckets aggregated to min/avg/max.
public struct HistoryTier: Sendable, Hashable, Codable {
    /// Bucket width in seconds (buckets are aligned to multiples of it in Unix time).
    public var bucketSeconds: Int
    /// How far back the tier reaches, in seconds; capacity = retention / bucket.
    public var retentionSeconds: Int

    public init(bucketSeconds: Int, retentionSeconds: Int) {
        self.bucketSeconds = max(1, bucketSeconds)
        self.retentionSeconds = max(self.bucketSeconds, retentionSeconds)
    }

    /// Number of buckets kept.
    public var capacity: Int { (retentionSeconds + bucketSeconds - 1) / bucketSeconds }
}

/// How long one class of cgroups keeps history.
public struct HistoryRetention: Sendable, Hashable, Codable {
    /// Seconds of full-resolution samples kept.
    public var fullResolutionSeconds: Int
    /// Downsampled tiers, finest first.
    public var tiers: [HistoryTier]

    public init(fullResolutionSeconds: Int, tiers: [HistoryTier]) {
        self.fullResolutionSeconds = max(0, fullResolutionSeconds)
        self.tiers = tiers.sorted { $0.bucketSeconds < $1.bucketSeconds }
    }

    /// Slices, the node, kubepods and QoS tiers: 1 h at full resolution, 24 h of 1-min buckets.
    public static let sliceDefault = HistoryRetention(
        fullResolutionSeconds: 3600,
        tiers: [HistoryTier(bucketSeconds: 60, retentionSeconds: 86_400)]
    )
    /// Units under system.slice and kube.slice: 1 h at full resolution, 24 h of 15-min buckets (about
    /// 5 KiB each, delta-encoded; their slice keeps the 1-min detail).
    public static let unitDefault = HistoryRetention(
        fullResolutionSeconds: 3600,
        tiers: [HistoryTier(bucketSeconds: 900, retentionSeconds: 86_400)]
    )
    /// Pods: 30 min at full resolution (a sample every pod refresh, 15 s by default), 24 h of 15-min
    /// buckets. Pods are many (up to thousands per node) and Prometheus keeps their long history; this is
    /// what `/history` and `oomwatch diagnose` need around a kill: about 2 KiB per pod, delta-encoded.
    public static let podDefault = HistoryRetention(
        fullResolutionSeconds: 1800,
        tiers: [HistoryTier(bucketSeconds: 900, retentionSeconds: 86_400)]
    )
    /// Containers: 15 min at full resolution (about 0.3 KiB per container); their pod keeps the 24 h trend.
    public static let containerDefault = HistoryRetention(fullResolutionSeconds: 900, tiers: [])
}

/// Which retention a cgroup gets (see `TrackedCgroupRole.retentionClass`).
public enum HistoryRetentionClass: String, Sendable, Hashable, Codable {
    case slice
    case unit
    case pod
    case container
}
