/// One reading of a cgroup's memory state. All sizes are bytes. Optional fields are nil when
/// the cgroup version has no such file or the file was missing/unreadable; `missingFields` and
/// `unreadableFields` say which.
public struct MemorySample: Sendable, Hashable, Codable {
    /// Current charge: v1 `memory.usage_in_bytes`, v2 `memory.current` (node on v2: MemTotal − MemFree).
    public var usageBytes: UInt64
    /// Hard limit: v1 `memory.limit_in_bytes`, v2 `memory.max`; nil = unlimited (see `CgroupLimitRule`).
    public var limitBytes: UInt64?
    /// v2 `memory.high` throttling threshold; nil = `max` or not applicable.
    public var highBytes: UInt64?
    /// usage − inactive_file, floored at 0 (kubelet's working set; v1 uses total_inactive_file).
    public var workingSetBytes: UInt64
    /// Anonymous memory: v1 total_rss, v2 anon.
    public var rssBytes: UInt64
    /// Page cache: v1 total_cache, v2 file.
    public var cacheBytes: UInt64
    /// Swap in use: v1 total_swap (with swap accounting), v2 memory.swap.current.
    public var swapBytes: UInt64?
    /// v1 memory.failcnt: times usage hit the limit.
    public var failcnt: UInt64?
    /// v1 memory.oom_control under_oom: the cgroup is currently in OOM.
    public var underOOM: Bool?
    /// v2 memory.events `oom`: times the cgroup's usage was at its limit and an allocation was about to fail.
    public var oomEvents: UInt64?
    /// OOM kills of tasks in this cgroup: v1 oom_control `oom_kill`, v2 memory.events `oom_kill` (hierarchical).
    public var oomKillEvents: UInt64?
    /// v2 memory.events `oom_group_kill`.
    public var oomGroupKillEvents: UInt64?
    /// v2 memory.events `low`.
    public var lowEvents: UInt64?
    /// v2 memory.events `high`.
    public var highEvents: UInt64?
    /// v2 memory.events `max`.
    public var maxEvents: UInt64?
    /// v1 memory.memsw.usage_in_bytes (memory + swap).
    public var memswUsageBytes: UInt64?
    /// v1 memory.memsw.limit_in_bytes; nil when unlimited or absent (see `missingFields`).
    public var memswLimitBytes: UInt64?
    /// Memory PSI (v2 memory.pressure; on hybrid hosts from the unified mirror when present).
    public var pressure: PressureStall?
    /// Source fields whose files did not exist.
    public var missingFields: MemorySampleFields
    /// Source fields whose files existed but could not be read or parsed.
    public var unreadableFields: MemorySampleFields

    public init(
        usageBytes: UInt64,
        limitBytes: UInt64? = nil,
        highBytes: UInt64? = nil,
        workingSetBytes: UInt64,
        rssBytes: UInt64 = 0,
        cacheBytes: UInt64 = 0,
        swapBytes: UInt64? = nil,
        failcnt: UInt64? = nil,
        underOOM: Bool? = nil,
        oomEvents: UInt64? = nil,
        oomKillEvents: UInt64? = nil,
        oomGroupKillEvents: UInt64? = nil,
        lowEvents: UInt64? = nil,
        highEvents: UInt64? = nil,
        maxEvents: UInt64? = nil,
        memswUsageBytes: UInt64? = nil,
        memswLimitBytes: UInt64? = nil,
        pressure: PressureStall? = nil,
        missingFields: MemorySampleFields = [],
        unreadableFields: MemorySampleFields = []
    ) {
        self.usageBytes = usageBytes
        self.limitBytes = limitBytes
        self.highBytes = highBytes
        self.workingSetBytes = workingSetBytes
        self.rssBytes = rssBytes
        self.cacheBytes = cacheBytes
        self.swapBytes = swapBytes
        self.failcnt = failcnt
        self.underOOM = underOOM
        self.oomEvents = oomEvents
        self.oomKillEvents = oomKillEvents
        self.oomGroupKillEvents = oomGroupKillEvents
        self.lowEvents = lowEvents
        self.highEvents = highEvents
        self.maxEvents = maxEvents
        self.memswUsageBytes = memswUsageBytes
        self.memswLimitBytes = memswLimitBytes
        self.pressure = pressure
        self.missingFields = missingFields
        self.unreadableFields = unreadableFields
    }

    /// kubelet's working set: usage − inactive_file, floored at 0.
    public static func workingSet(usage: UInt64, inactiveFile: UInt64) -> UInt64 {
        usage >= inactiveFile ? usage - inactiveFile : 0
    }
}
