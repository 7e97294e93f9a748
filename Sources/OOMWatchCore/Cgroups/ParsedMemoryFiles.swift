/// The fields oomwatch needs from a cgroup v1 `memory.stat`. The `total_*` keys are
/// hierarchical (match `memory.usage_in_bytes`, which includes descendants); the plain keys
/// are local and serve as a fallback when a kernel omits the totals.
public struct V1MemoryStat: Sendable, Hashable {
    public var rss: UInt64?
    public var cache: UInt64?
    public var inactiveFile: UInt64?
    public var swap: UInt64?
    public var totalRSS: UInt64?
    public var totalCache: UInt64?
    public var totalInactiveFile: UInt64?
    public var totalSwap: UInt64?

    public init(
        rss: UInt64? = nil, cache: UInt64? = nil, inactiveFile: UInt64? = nil, swap: UInt64? = nil,
        totalRSS: UInt64? = nil, totalCache: UInt64? = nil, totalInactiveFile: UInt64? = nil, totalSwap: UInt64? = nil
    ) {
        self.rss = rss
        self.cache = cache
        self.inactiveFile = inactiveFile
        self.swap = swap
        self.totalRSS = totalRSS
        self.totalCache = totalCache
        self.totalInactiveFile = totalInactiveFile
        self.totalSwap = totalSwap
    }

    /// Hierarchical RSS (total_rss, else rss).
    public var effectiveRSS: UInt64? { totalRSS ?? rss }
    /// Hierarchical page cache (total_cache, else cache).
    public var effectiveCache: UInt64? { totalCache ?? cache }
    /// Hierarchical inactive file pages (total_inactive_file, else inactive_file): kubelet's working-set input.
    public var effectiveInactiveFile: UInt64? { totalInactiveFile ?? inactiveFile }
    /// Hierarchical swap (total_swap, else swap); nil without swap accounting.
    public var effectiveSwap: UInt64? { totalSwap ?? swap }
}

/// The fields oomwatch needs from a cgroup v2 `memory.stat`.
public struct V2MemoryStat: Sendable, Hashable {
    public var anon: UInt64?
    public var file: UInt64?
    public var inactiveFile: UInt64?

    public init(anon: UInt64? = nil, file: UInt64? = nil, inactiveFile: UInt64? = nil) {
        self.anon = anon
        self.file = file
        self.inactiveFile = inactiveFile
    }
}

/// cgroup v1 `memory.oom_control`.
public struct V1OOMControl: Sendable, Hashable {
    public var oomKillDisable: Bool
    public var underOOM: Bool
    /// `oom_kill` (kernel ≥ 4.13); nil on older kernels.
    public var oomKill: UInt64?

    public init(oomKillDisable: Bool, underOOM: Bool, oomKill: UInt64?) {
        self.oomKillDisable = oomKillDisable
        self.underOOM = underOOM
        self.oomKill = oomKill
    }
}

/// cgroup v2 `memory.events` counters; a key the running kernel does not print is nil.
public struct V2MemoryEvents: Sendable, Hashable {
    public var low: UInt64?
    public var high: UInt64?
    public var max: UInt64?
    public var oom: UInt64?
    public var oomKill: UInt64?
    public var oomGroupKill: UInt64?

    public init(
        low: UInt64? = nil, high: UInt64? = nil, max: UInt64? = nil,
        oom: UInt64? = nil, oomKill: UInt64? = nil, oomGroupKill: UInt64? = nil
    ) {
        self.low = low
        self.high = high
        self.max = max
        self.oom = oom
        self.oomKill = oomKill
        self.oomGroupKill = oomGroupKill
    }
}

/// The `/proc/meminfo` fields oomwatch uses, in bytes.
public struct NodeMemoryInfo: Sendable, Hashable, Codable {
    /// MemTotal: the node's memory capacity (what kubelet reports as capacity).
    public var memTotalBytes: UInt64
    public var memFreeBytes: UInt64?
    public var memAvailableBytes: UInt64?
    public var buffersBytes: UInt64?
    public var cachedBytes: UInt64?
    public var anonPagesBytes: UInt64?
    public var inactiveFileBytes: UInt64?
    public var swapTotalBytes: UInt64?
    public var swapFreeBytes: UInt64?

    public init(
        memTotalBytes: UInt64, memFreeBytes: UInt64? = nil, memAvailableBytes: UInt64? = nil,
        buffersBytes: UInt64? = nil, cachedBytes: UInt64? = nil, anonPagesBytes: UInt64? = nil,
        inactiveFileBytes: UInt64? = nil, swapTotalBytes: UInt64? = nil, swapFreeBytes: UInt64? = nil
    ) {
        self.memTotalBytes = memTotalBytes
        self.memFreeBytes = memFreeBytes
        self.memAvailableBytes = memAvailableBytes
        self.buffersBytes = buffersBytes
        self.cachedBytes = cachedBytes
        self.anonPagesBytes = anonPagesBytes
        self.inactiveFileBytes = inactiveFileBytes
        self.swapTotalBytes = swapTotalBytes
        self.swapFreeBytes = swapFreeBytes
    }
}
