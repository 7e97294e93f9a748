/// One reading of a cgroup's memory state. All sizes are bytes. Optional fields are nil when
/// the cgroup version has no such file or the file was missing/unreadable; `missingFields` and
/// `unreadableFields` say which.
/// One reading of a cgroup's memory state. All sizes are bytes. Optional fields are nil when
/// the cgroup version has no such file or the file was missing/unreadable; `missingFields` and
/// `unreadableFields` say which.
///
/// The daemon keeps one per pod and container between pod reads (thousands on a node), so the optional
/// readings are stored packed: `UInt64.max` stands for nil (8 bytes each instead of 16; a reading of
/// exactly `UInt64.max` is kept as `UInt64.max − 1`), and pressure, which only v2 has, is boxed.
/// 152 bytes instead of 304.
public struct MemorySample: Sendable, Hashable {
    /// Current charge: v1 `memory.usage_in_bytes`, v2 `memory.current` (node on v2: MemTotal − MemFree).
    public var usageBytes: UInt64
    /// usage − inactive_file, floored at 0 (kubelet's working set; v1 uses total_inactive_file).
    public var workingSetBytes: UInt64
    /// Anonymous memory: v1 total_rss, v2 anon.
    public var rssBytes: UInt64
    /// Page cache: v1 total_cache, v2 file.
    public var cacheBytes: UInt64
    /// Source fields whose files did not exist.
    public var missingFields: MemorySampleFields
    /// Source fields whose files existed but could not be read or parsed.
    public var unreadableFields: MemorySampleFields

    private var packedLimitBytes: UInt64 = Packed.absent
    private var packedHighBytes: UInt64 = Packed.absent
    private var packedSwapBytes: UInt64 = Packed.absent
    private var packedFailcnt: UInt64 = Packed.absent
    private var packedOomEvents: UInt64 = Packed.absent
    private var packedOomKillEvents: UInt64 = Packed.absent
    private var packedOomGroupKillEvents: UInt64 = Packed.absent
    private var packedLowEvents: UInt64 = Packed.absent
    private var packedHighEvents: UInt64 = Packed.absent
    private var packedMaxEvents: UInt64 = Packed.absent
    private var packedMemswUsageBytes: UInt64 = Packed.absent
    private var packedMemswLimitBytes: UInt64 = Packed.absent
    private var packedUnderOOM: UInt8 = Packed.absentFlag
    private var boxedPressure: PressureBox?

    /// Hard limit: v1 `memory.limit_in_bytes`, v2 `memory.max`; nil = unlimited (see `CgroupLimitRule`).
    public var limitBytes: UInt64? {
        get { Packed.unpack(packedLimitBytes) }
        set { packedLimitBytes = Packed.pack(newValue) }
    }
    /// v2 `memory.high` throttling threshold; nil = `max` or not applicable.
    public var highBytes: UInt64? {
        get { Packed.unpack(packedHighBytes) }
        set { packedHighBytes = Packed.pack(newValue) }
    }
    /// Swap in use: v1 total_swap (with swap accounting), v2 memory.swap.current.
    public var swapBytes: UInt64? {
        get { Packed.unpack(packedSwapBytes) }
        set { packedSwapBytes = Packed.pack(newValue) }
    }
    /// v1 memory.failcnt: times usage hit the limit.
    public var failcnt: UInt64? {
        get { Packed.unpack(packedFailcnt) }
        set { packedFailcnt = Packed.pack(newValue) }
    }
    /// v1 memory.oom_control under_oom: the cgroup is currently in OOM.
    public var underOOM: Bool? {
        get { packedUnderOOM == Packed.absentFlag ? nil : packedUnderOOM == 1 }
        set { packedUnderOOM = newValue.map { $0 ? 1 : 0 } ?? Packed.absentFlag }
    }
    /// v2 memory.events `oom`: times the cgroup's usage was at its limit and an allocation was about to fail.
    public var oomEvents: UInt64? {
        get { Packed.unpack(packedOomEvents) }
        set { packedOomEvents = Packed.pack(newValue) }
    }
    /// OOM kills of tasks in this cgroup: v1 oom_control `oom_kill`, v2 memory.events `oom_kill` (hierarchical).
    public var oomKillEvents: UInt64? {
        get { Packed.unpack(packedOomKillEvents) }
        set { packedOomKillEvents = Packed.pack(newValue) }
    }
    /// v2 memory.events `oom_group_kill`.
    public var oomGroupKillEvents: UInt64? {
        get { Packed.unpack(packedOomGroupKillEvents) }
        set { packedOomGroupKillEvents = Packed.pack(newValue) }
    }
    /// v2 memory.events `low`.
    public var lowEvents: UInt64? {
        get { Packed.unpack(packedLowEvents) }
        set { packedLowEvents = Packed.pack(newValue) }
    }
    /// v2 memory.events `high`.
    public var highEvents: UInt64? {
        get { Packed.unpack(packedHighEvents) }
        set { packedHighEvents = Packed.pack(newValue) }
    }
    /// v2 memory.events `max`.
    public var maxEvents: UInt64? {
        get { Packed.unpack(packedMaxEvents) }
        set { packedMaxEvents = Packed.pack(newValue) }
    }
    /// v1 memory.memsw.usage_in_bytes (memory + swap).
    public var memswUsageBytes: UInt64? {
        get { Packed.unpack(packedMemswUsageBytes) }
        set { packedMemswUsageBytes = Packed.pack(newValue) }
    }
    /// v1 memory.memsw.limit_in_bytes; nil when unlimited or absent (see `missingFields`).
    public var memswLimitBytes: UInt64? {
        get { Packed.unpack(packedMemswLimitBytes) }
        set { packedMemswLimitBytes = Packed.pack(newValue) }
    }
    /// Memory PSI (v2 memory.pressure; on hybrid hosts from the unified mirror when present).
    public var pressure: PressureStall? {
        get { boxedPressure?.value }
        set { boxedPressure = newValue.map(PressureBox.init) }
    }

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
        self.workingSetBytes = workingSetBytes
        self.rssBytes = rssBytes
        self.cacheBytes = cacheBytes
        self.missingFields = missingFields
        self.unreadableFields = unreadableFields
        self.limitBytes = limitBytes
        self.highBytes = highBytes
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
    }

    /// kubelet's working set: usage − inactive_file, floored at 0.
    public static func workingSet(usage: UInt64, inactiveFile: UInt64) -> UInt64 {
        usage >= inactiveFile ? usage - inactiveFile : 0
    }
}

extension MemorySample {
    /// nil as a sentinel in packed storage.
    private enum Packed {
        static let absent = UInt64.max
        static let absentFlag: UInt8 = 2

        @inline(__always) static func pack(_ value: UInt64?) -> UInt64 {
            guard let value else { return absent }
            return value == absent ? absent - 1 : value
        }

        @inline(__always) static func unpack(_ value: UInt64) -> UInt64? { value == absent ? nil : value }
    }

    /// Pressure readings, immutable and shared between copies of a sample.
    private final class PressureBox: Sendable, Hashable {
        let value: PressureStall
        init(_ value: PressureStall) { self.value = value }
        static func == (a: PressureBox, b: PressureBox) -> Bool { a.value == b.value }
        func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }
}

/// Encoded as if every reading were stored as declared (optionals left out when nil), as before packing.
extension MemorySample: Codable {
    private enum CodingKeys: String, CodingKey {
        case usageBytes, limitBytes, highBytes, workingSetBytes, rssBytes, cacheBytes, swapBytes, failcnt, underOOM
        case oomEvents, oomKillEvents, oomGroupKillEvents, lowEvents, highEvents, maxEvents, memswUsageBytes
        case memswLimitBytes, pressure, missingFields, unreadableFields
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            usageBytes: try c.decode(UInt64.self, forKey: .usageBytes),
            limitBytes: try c.decodeIfPresent(UInt64.self, forKey: .limitBytes),
            highBytes: try c.decodeIfPresent(UInt64.self, forKey: .highBytes),
            workingSetBytes: try c.decode(UInt64.self, forKey: .workingSetBytes),
            rssBytes: try c.decode(UInt64.self, forKey: .rssBytes),
            cacheBytes: try c.decode(UInt64.self, forKey: .cacheBytes),
            swapBytes: try c.decodeIfPresent(UInt64.self, forKey: .swapBytes),
            failcnt: try c.decodeIfPresent(UInt64.self, forKey: .failcnt),
            underOOM: try c.decodeIfPresent(Bool.self, forKey: .underOOM),
            oomEvents: try c.decodeIfPresent(UInt64.self, forKey: .oomEvents),
            oomKillEvents: try c.decodeIfPresent(UInt64.self, forKey: .oomKillEvents),
            oomGroupKillEvents: try c.decodeIfPresent(UInt64.self, forKey: .oomGroupKillEvents),
            lowEvents: try c.decodeIfPresent(UInt64.self, forKey: .lowEvents),
            highEvents: try c.decodeIfPresent(UInt64.self, forKey: .highEvents),
            maxEvents: try c.decodeIfPresent(UInt64.self, forKey: .maxEvents),
            memswUsageBytes: try c.decodeIfPresent(UInt64.self, forKey: .memswUsageBytes),
            memswLimitBytes: try c.decodeIfPresent(UInt64.self, forKey: .memswLimitBytes),
            pressure: try c.decodeIfPresent(PressureStall.self, forKey: .pressure),
            missingFields: try c.decode(MemorySampleFields.self, forKey: .missingFields),
            unreadableFields: try c.decode(MemorySampleFields.self, forKey: .unreadableFields)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(usageBytes, forKey: .usageBytes)
        try c.encodeIfPresent(limitBytes, forKey: .limitBytes)
        try c.encodeIfPresent(highBytes, forKey: .highBytes)
        try c.encode(workingSetBytes, forKey: .workingSetBytes)
        try c.encode(rssBytes, forKey: .rssBytes)
        try c.encode(cacheBytes, forKey: .cacheBytes)
        try c.encodeIfPresent(swapBytes, forKey: .swapBytes)
        try c.encodeIfPresent(failcnt, forKey: .failcnt)
        try c.encodeIfPresent(underOOM, forKey: .underOOM)
        try c.encodeIfPresent(oomEvents, forKey: .oomEvents)
        try c.encodeIfPresent(oomKillEvents, forKey: .oomKillEvents)
        try c.encodeIfPresent(oomGroupKillEvents, forKey: .oomGroupKillEvents)
        try c.encodeIfPresent(lowEvents, forKey: .lowEvents)
        try c.encodeIfPresent(highEvents, forKey: .highEvents)
        try c.encodeIfPresent(maxEvents, forKey: .maxEvents)
        try c.encodeIfPresent(memswUsageBytes, forKey: .memswUsageBytes)
        try c.encodeIfPresent(memswLimitBytes, forKey: .memswLimitBytes)
        try c.encodeIfPresent(pressure, forKey: .pressure)
        try c.encode(missingFields, forKey: .missingFields)
        try c.encode(unreadableFields, forKey: .unreadableFields)
    }
}
