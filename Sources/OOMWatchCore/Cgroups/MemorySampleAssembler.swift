/// The parsed files of one cgroup v1 memory cgroup.
public struct V1MemoryReadings: Sendable {
    public var usage: FileReading<UInt64>
    public var limit: FileReading<UInt64?>
    public var stat: FileReading<V1MemoryStat>
    public var failcnt: FileReading<UInt64>
    public var oomControl: FileReading<V1OOMControl>
    public var memswUsage: FileReading<UInt64>
    public var memswLimit: FileReading<UInt64?>
    /// PSI from the unified mirror (hybrid hosts); `.missing` on pure v1.
    public var pressure: FileReading<PressureStall>

    public init(
        usage: FileReading<UInt64>, limit: FileReading<UInt64?>, stat: FileReading<V1MemoryStat>,
        failcnt: FileReading<UInt64>, oomControl: FileReading<V1OOMControl>,
        memswUsage: FileReading<UInt64> = .missing, memswLimit: FileReading<UInt64?> = .missing,
        pressure: FileReading<PressureStall> = .missing
    ) {
        self.usage = usage
        self.limit = limit
        self.stat = stat
        self.failcnt = failcnt
        self.oomControl = oomControl
        self.memswUsage = memswUsage
        self.memswLimit = memswLimit
        self.pressure = pressure
    }
}

/// The parsed files of one cgroup v2 cgroup.
public struct V2MemoryReadings: Sendable {
    public var current: FileReading<UInt64>
    public var max: FileReading<UInt64?>
    public var high: FileReading<UInt64?>
    public var swapCurrent: FileReading<UInt64>
    public var stat: FileReading<V2MemoryStat>
    public var events: FileReading<V2MemoryEvents>
    public var pressure: FileReading<PressureStall>

    public init(
        current: FileReading<UInt64>, max: FileReading<UInt64?>, high: FileReading<UInt64?>,
        swapCurrent: FileReading<UInt64>, stat: FileReading<V2MemoryStat>,
        events: FileReading<V2MemoryEvents>, pressure: FileReading<PressureStall>
    ) {
        self.current = current
        self.max = max
        self.high = high
        self.swapCurrent = swapCurrent
        self.stat = stat
        self.events = events
        self.pressure = pressure
    }
}

/// Turns parsed file contents into a `MemorySample` (pure).
public enum MemorySampleAssembler {
    /// Builds a sample from cgroup v1 files.
    public static func assemble(_ r: V1MemoryReadings) -> MemorySample {
        var notes = FieldNotes()
        func note<T>(_ reading: FileReading<T>, _ field: MemorySampleFields) -> T? { notes.take(reading, field) }
        let usage = note(r.usage, .usage) ?? 0
        let limit = note(r.limit, .limit) ?? nil
        let stat = note(r.stat, .stat)
        let failcnt = note(r.failcnt, .failcnt)
        let oom = note(r.oomControl, .oomControl)
        let memswUsage = note(r.memswUsage, .memswUsage)
        let memswLimit = note(r.memswLimit, .memswLimit) ?? nil
        let pressure = note(r.pressure, .pressure)
        let swap = stat?.effectiveSwap
        if stat != nil && swap == nil { notes.missing.insert(.swap) }
        if stat == nil { if notes.unreadable.contains(.stat) { notes.unreadable.insert(.swap) } else { notes.missing.insert(.swap) } }
        return MemorySample(
            usageBytes: usage,
            limitBytes: limit,
            highBytes: nil,
            workingSetBytes: MemorySample.workingSet(usage: usage, inactiveFile: stat?.effectiveInactiveFile ?? 0),
            rssBytes: stat?.effectiveRSS ?? 0,
            cacheBytes: stat?.effectiveCache ?? 0,
            swapBytes: swap,
            failcnt: failcnt,
            underOOM: oom?.underOOM,
            oomEvents: nil,
            oomKillEvents: oom?.oomKill,
            oomGroupKillEvents: nil,
            memswUsageBytes: memswUsage,
            memswLimitBytes: memswLimit,
            pressure: pressure,
            missingFields: notes.missing,
            unreadableFields: notes.unreadable
        )
    }

    /// Builds a sample from cgroup v2 files.
    public static func assemble(_ r: V2MemoryReadings) -> MemorySample {
        var notes = FieldNotes()
        func note<T>(_ reading: FileReading<T>, _ field: MemorySampleFields) -> T? { notes.take(reading, field) }
        let usage = note(r.current, .usage) ?? 0
        let limit = note(r.max, .limit) ?? nil
        let high = note(r.high, .high) ?? nil
        let swap = note(r.swapCurrent, .swap)
        let stat = note(r.stat, .stat)
        let events = note(r.events, .events)
        let pressure = note(r.pressure, .pressure)
        return MemorySample(
            usageBytes: usage,
            limitBytes: limit,
            highBytes: high,
            workingSetBytes: MemorySample.workingSet(usage: usage, inactiveFile: stat?.inactiveFile ?? 0),
            rssBytes: stat?.anon ?? 0,
            cacheBytes: stat?.file ?? 0,
            swapBytes: swap,
            oomEvents: events?.oom,
            oomKillEvents: events?.oomKill,
            oomGroupKillEvents: events?.oomGroupKill,
            lowEvents: events?.low,
            highEvents: events?.high,
            maxEvents: events?.max,
            pressure: pressure,
            missingFields: notes.missing,
            unreadableFields: notes.unreadable
        )
    }

    /// Builds the node sample from /proc/meminfo, as cAdvisor/kubelet do on cgroup v2 where the
    /// root cgroup has no memory.current: usage = MemTotal − MemFree, working set = usage −
    /// Inactive(file), rss = AnonPages, cache = Buffers + Cached, swap = SwapTotal − SwapFree.
    /// No limit (capacity is reported separately).
    public static func assembleNode(meminfo: NodeMemoryInfo, pressure: FileReading<PressureStall>) -> MemorySample {
        var notes = FieldNotes()
        let free = meminfo.memFreeBytes ?? 0
        let usage = meminfo.memTotalBytes >= free ? meminfo.memTotalBytes - free : 0
        var swap: UInt64?
        if let total = meminfo.swapTotalBytes, let swapFree = meminfo.swapFreeBytes {
            swap = total >= swapFree ? total - swapFree : 0
        } else {
            notes.missing.insert(.swap)
        }
        let psi = notes.take(pressure, .pressure)
        return MemorySample(
            usageBytes: usage,
            limitBytes: nil,
            workingSetBytes: MemorySample.workingSet(usage: usage, inactiveFile: meminfo.inactiveFileBytes ?? 0),
            rssBytes: meminfo.anonPagesBytes ?? 0,
            cacheBytes: Self.saturatingSum(meminfo.buffersBytes ?? 0, meminfo.cachedBytes ?? 0),
            swapBytes: swap,
            pressure: psi,
            missingFields: notes.missing,
            unreadableFields: notes.unreadable
        )
    }

    /// `a + b`, or `UInt64.max` instead of a trap when a malformed file's values overflow.
    static func saturatingSum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}

/// The fields a sample could not fill: files that did not exist, and files that could not be read.
struct FieldNotes {
    var missing = MemorySampleFields()
    var unreadable = MemorySampleFields()

    /// The value of `reading`, or nil after noting why `field` has none.
    mutating func take<T>(_ reading: FileReading<T>, _ field: MemorySampleFields) -> T? {
        switch reading {
        case .value(let value): return value
        case .missing: missing.insert(field); return nil
        case .unreadable: unreadable.insert(field); return nil
        }
    }
}
