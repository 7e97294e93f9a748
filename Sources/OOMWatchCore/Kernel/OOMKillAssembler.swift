/// Assembles the kernel's multi-line OOM reports into one `OOMKill` per kill.
///
/// Feed kernel lines in arrival order; events come out of `feed`, `flush` and `finish`.
///
/// Matching rules (the `Killed process` line is the only line guaranteed per kill):
/// - Every `Killed process` line yields exactly one kill, except a repeat of a victim already
///   reported (the `memory.oom.group` victim is printed twice; replays), which is dropped and counted.
/// - It is paired with a pending report by, in order: the `oom-kill:` summary's `pid`; the
///   `Kill process` candidate's pid; the oldest report with a candidate; the oldest report
///   whose summary does not name another pid. A report is never paired with two kills, and a
///   new `invoked oom-killer` header always starts a new report (never merged).
/// - Header parts (`cpuset=`, `Task in`, `memory: usage`) go to the newest report lacking them.
/// - After `Tasks in X are going to be killed due to memory.oom.group set`, further kill lines
///   are members of that group kill (same trigger and limit) until another report starts.
/// - Completed kills are held briefly (`holdMicros`/`holdLines`) to collect `oom_reaper` and
///   group lines, then emitted. A summary whose kill line never arrives (cut-off log) is
///   emitted as a kill built from the summary alone (RSS fields nil; counted in
///   `killsWithoutKillLine`) when it expires; a later kill line for it is a duplicate.
/// State is bounded by `Configuration` caps; overflow emits early or drops reports (counted).
public struct OOMKillAssembler: Sendable {
    /// Windows and caps.
    public struct Configuration: Sendable, Hashable {
        /// How long a report without its kill line is kept (kernel time).
        public var reportWindowMicros: Int64 = 30_000_000
        /// Same, in lines, for input without timestamps (task dumps can be long).
        public var reportWindowLines: Int = 50_000
        /// How long a completed kill waits for `oom_reaper`/group lines.
        public var holdMicros: Int64 = 2_000_000
        /// Same, in lines.
        public var holdLines: Int = 2_000
        /// Cap on pending reports; the oldest is dropped beyond it.
        public var maxPendingReports: Int = 64
        /// Cap on held kills; the oldest is emitted early beyond it.
        public var maxHeldKills: Int = 1_024
        /// A repeated `Killed process` for the same boot/pid/comm within this window is a duplicate.
        public var duplicateWindowMicros: Int64 = 10_000_000
        /// How many emitted kills are remembered for duplicate detection.
        public var recentKillMemory: Int = 512

        public init() {}
    }

    /// Counters for metrics and `oomwatch parse` summaries.
    public struct Counters: Sendable, Hashable, Codable {
        public var linesSeen = 0
        public var recordsParsed = 0
        /// Lines that looked relevant (e.g. `Killed process …`) but could not be parsed.
        public var malformedLines = 0
        public var killsEmitted = 0
        /// Kills whose `invoked oom-killer` header was not seen.
        public var killsWithoutHeader = 0
        /// Kills built from an `oom-kill:` summary whose `Killed process` line never came.
        public var killsWithoutKillLine = 0
        public var duplicateKillLines = 0
        public var skippedVictims = 0
        public var kernelErrors = 0
        /// Reports (headers) that expired without a kill or summary.
        public var reportsWithoutKill = 0
        public var reportsDroppedForCapacity = 0
        public var killsEmittedEarlyForCapacity = 0
        public var unmatchedReaperLines = 0
        public var summaryFragmentsMerged = 0

        public init() {}
    }

    struct Report: Sendable {
        var invocation: OOMInvocation?
        var cpuset: CpusetInfo?
        var summary: OOMSummary?
        var limit: MemcgLimitInfo?
        var memory: MemcgCounterLine?
        var swap: MemcgCounterLine?
        var candidate: KillCandidate?
        var firstLine: Int
        var firstMono: Int64?
        var summaryMono: Int64?
        var summaryRealtime: Int64?
        var bootID: String?
        var serial: Int
    }

    struct KillKey: Sendable, Hashable {
        var bootID: String?
        var pid: Int
        var comm: [UInt8]
    }

    struct HeldKill: Sendable {
        var kill: OOMKill
        var key: KillKey
        var line: Int
        var report: Report?
    }

    struct RecentKill: Sendable {
        var key: KillKey
        var mono: Int64?
        var line: Int
    }

    struct GroupContext: Sendable {
        var cgroup: String
        var template: Report?
        var line: Int
        var mono: Int64?
    }

    public private(set) var configuration: Configuration
    /// Counters since creation.
    public private(set) var counters = Counters()

    private var pending: [Report] = []
    private var held: [HeldKill] = []
    private var recent: [RecentKill] = []
    private var recentNext = 0
    private var group: GroupContext?
    private var awaiting: (serial: Int, key: OOMSummary.Key, line: Int)?
    private var lineIndex = 0
    private var serial = 0
    private var currentBoot: String?
    private var lastMono: Int64?

    /// Creates an assembler.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Number of reports and kills currently held (for tests and memory accounting).
    public var pendingCount: (reports: Int, kills: Int) { (pending.count, held.count) }

    // MARK: - Public entry points

    /// Feeds one line; returns the events it completed (usually none).
    public mutating func feed(_ line: KernelLine) -> [KernelEvent] {
        var out: [KernelEvent] = []
        lineIndex += 1
        counters.linesSeen += 1
        if let b = line.bootID {
            if let cur = currentBoot, cur != b { flushAll(into: &out) }
            currentBoot = b
        }
        if let m = line.monotonicMicros {
            // A large step back in kernel time without a boot id: a new boot in a concatenated log.
            if let last = lastMono, m < last - 60_000_000 { flushAll(into: &out) }
            lastMono = m
        }
        if !held.isEmpty || !pending.isEmpty || group != nil {
            expire(now: line.monotonicMicros, into: &out)
        }
        let result = line.message.withUnsafeBufferPointer { KernelRecordParser.classify($0) }
        switch result {
        case .irrelevant:
            if awaiting != nil { fillAwaitingFragment(line) }
        case .malformed:
            counters.malformedLines += 1
        case .record(let record):
            counters.recordsParsed += 1
            awaiting = nil
            handle(record, line, into: &out)
        }
        return out
    }

    /// Emits held kills whose kill line is at or before `olderThanMonotonicMicros` (and kills
    /// without kernel time), and expires reports older than that minus the report window.
    /// Call periodically from a live tail so kills are not held forever when input stops.
    public mutating func flush(olderThanMonotonicMicros cutoff: Int64) -> [KernelEvent] {
        var out: [KernelEvent] = []
        var keep: [HeldKill] = []
        for h in held {
            if let m = h.kill.monotonicMicros, m > cutoff { keep.append(h) } else { emit(h, into: &out) }
        }
        held = keep
        while let first = pending.first, let m = first.firstMono, m < cutoff - configuration.reportWindowMicros {
            expireReport(pending.removeFirst(), into: &out)
        }
        if let g = group, let m = g.mono, m <= cutoff { group = nil }
        return out
    }

    /// Emits everything still held (end of input).
    public mutating func finish() -> [KernelEvent] {
        var out: [KernelEvent] = []
        flushAll(into: &out)
        return out
    }

    // MARK: - Record handling

    private mutating func handle(_ record: KernelRecord, _ line: KernelLine, into out: inout [KernelEvent]) {
        switch record {
        case .oomInvoked(let inv):
            group = nil
            appendReport(Report(invocation: inv, firstLine: lineIndex, firstMono: line.monotonicMicros,
                                bootID: line.bootID ?? currentBoot, serial: nextSerial()), into: &out)

        case .cpusetInfo(let info):
            if let i = pending.lastIndex(where: { $0.cpuset == nil && $0.invocation?.comm == info.comm })
                ?? pending.lastIndex(where: { $0.cpuset == nil && $0.invocation != nil }) {
                pending[i].cpuset = info
            }

        case .memcgLimit(let info):
            if let i = pending.lastIndex(where: { $0.limit == nil && $0.summary == nil && $0.candidate == nil }) {
                pending[i].limit = info
            } else {
                appendReport(Report(limit: info, firstLine: lineIndex, firstMono: line.monotonicMicros,
                                    bootID: line.bootID ?? currentBoot, serial: nextSerial()), into: &out)
            }

        case .memcgCounters(let c):
            switch c.kind {
            case .memory:
                if let i = pending.lastIndex(where: { $0.memory == nil && $0.summary == nil && $0.candidate == nil }) { pending[i].memory = c }
            case .memorySwap, .swap:
                if let i = pending.lastIndex(where: { $0.swap == nil && $0.summary == nil && $0.candidate == nil }) { pending[i].swap = c }
            case .kmem:
                break
            }

        case .oomSummary(let s):
            handleSummary(s, line, into: &out)

        case .killCandidate(let c):
            group = nil
            if let i = pending.firstIndex(where: { $0.candidate == nil && ($0.summary?.pid == nil || $0.summary?.pid == c.pid) }) {
                pending[i].candidate = c
            } else {
                appendReport(Report(candidate: c, firstLine: lineIndex, firstMono: line.monotonicMicros,
                                    bootID: line.bootID ?? currentBoot, serial: nextSerial()), into: &out)
            }

        case .killedProcess(let k):
            handleKilled(k, line, into: &out)

        case .oomReaped(let r):
            if let i = held.lastIndex(where: { $0.kill.victim.pid == r.pid }) {
                held[i].kill.reaped = OOMKill.Reaped(anonRssKB: r.anonRssKB, fileRssKB: r.fileRssKB, shmemRssKB: r.shmemRssKB)
            } else {
                counters.unmatchedReaperLines += 1
            }

        case .oomGroup(let cgroup):
            if let i = held.indices.last {
                held[i].kill.oomGroupCgroup = cgroup
                held[i].kill.resolveOwners()
                group = GroupContext(cgroup: cgroup, template: held[i].report, line: lineIndex, mono: line.monotonicMicros)
            } else {
                group = GroupContext(cgroup: cgroup, template: nil, line: lineIndex, mono: line.monotonicMicros)
            }

        case .victimExiting(let v):
            handleExiting(v, line, into: &out)

        case .kernelError(let kind, let message):
            counters.kernelErrors += 1
            out.append(.kernelError(KernelError(kind: kind, message: message, realtimeMicros: line.realtimeMicros,
                                                monotonicMicros: line.monotonicMicros, bootID: line.bootID ?? currentBoot)))
        }
    }

    private mutating func handleSummary(_ s: OOMSummary, _ line: KernelLine, into out: inout [KernelEvent]) {
        var target: Int?
        if s.isContinuation {
            if let i = pending.lastIndex(where: { $0.summary.map { !$0.isComplete } ?? false }) {
                pending[i].summary?.merge(s)
                counters.summaryFragmentsMerged += 1
                target = i
            } else if let i = pending.lastIndex(where: { $0.summary == nil && $0.candidate == nil }) {
                pending[i].summary = s
                target = i
            }
        } else {
            group = nil
            if let i = pending.firstIndex(where: { $0.summary == nil && $0.candidate == nil }) {
                pending[i].summary = s
                target = i
            }
        }
        if let i = target {
            pending[i].summaryMono = line.monotonicMicros ?? pending[i].summaryMono
            pending[i].summaryRealtime = line.realtimeMicros ?? pending[i].summaryRealtime
        } else {
            appendReport(Report(summary: s, firstLine: lineIndex, firstMono: line.monotonicMicros,
                                summaryMono: line.monotonicMicros, summaryRealtime: line.realtimeMicros,
                                bootID: line.bootID ?? currentBoot, serial: nextSerial()), into: &out)
            target = pending.indices.last
        }
        if let key = s.awaitingValue, let i = target, i < pending.count {
            awaiting = (pending[i].serial, key, lineIndex)
        }
    }

    /// A summary value printed as its own record (`…,oom_memcg=` then `/kubepods/…`).
    private mutating func fillAwaitingFragment(_ line: KernelLine) {
        guard let a = awaiting else { return }
        awaiting = nil
        guard lineIndex - a.line <= 3, let first = line.message.first else { return }
        let isPathKey = a.key == .oomMemcg || a.key == .taskMemcg
        if isPathKey && first != UInt8(ascii: "/") { return }
        guard let i = pending.firstIndex(where: { $0.serial == a.serial }) else { return }
        var value = line.message
        while let last = value.last, last == 0x0A || last == 0x0D || last == 0x20 { value.removeLast() }
        // The value may run into the next fragment (`/x,task_memcg=/x/y,task=…`).
        if let comma = firstKeyComma(value) {
            let rest = Array(value[comma...])
            value = Array(value[..<comma])
            pending[i].summary?.set(a.key, value: EscapedText.string(from: value))
            if case .record(.oomSummary(let more)) = KernelRecordParser.classify(rest) {
                pending[i].summary?.merge(more)
                if let key = more.awaitingValue { awaiting = (a.serial, key, lineIndex) }
            }
        } else {
            pending[i].summary?.set(a.key, value: EscapedText.string(from: value))
        }
        counters.summaryFragmentsMerged += 1
    }

    private func firstKeyComma(_ v: [UInt8]) -> Int? {
        let keys: [String] = [",nodemask=", ",cpuset=", ",mems_allowed=", ",oom_memcg=", ",global_oom", ",task_memcg=", ",task=", ",pid=", ",uid="]
        var best: Int?
        v.withUnsafeBufferPointer { b in
            for k in keys {
                let kb = Array(k.utf8)
                var i = 0
                while i + kb.count <= b.count {
                    if b[i] == kb[0] && Array(b[i..<(i + kb.count)]) == kb {
                        if best == nil || i < best! { best = i }
                        break
                    }
                    i += 1
                }
            }
        }
        return best
    }

    private mutating func handleKilled(_ k: KilledProcess, _ line: KernelLine, into out: inout [KernelEvent]) {
        let key = KillKey(bootID: line.bootID ?? currentBoot, pid: k.pid, comm: k.comm.bytes)
        if held.contains(where: { $0.key == key }) || isRecentDuplicate(key, mono: line.monotonicMicros) {
            counters.duplicateKillLines += 1
            return
        }
        var reportIndex = pending.firstIndex(where: { $0.summary?.pid == k.pid })
        var groupCgroup: String?
        if reportIndex == nil {
            if let g = group {
                groupCgroup = g.cgroup
            } else {
                reportIndex = pending.firstIndex(where: { $0.candidate?.pid == k.pid })
                    ?? pending.firstIndex(where: { $0.candidate != nil && $0.summary?.pid == nil })
                    ?? pending.firstIndex(where: { $0.summary?.pid == nil })
            }
        }
        let report = reportIndex.map { pending.remove(at: $0) }
        let template = groupCgroup != nil ? group?.template : report
        let kill = buildKill(k, line, report: template, groupCgroup: groupCgroup)
        if kill.trigger == nil { counters.killsWithoutHeader += 1 }
        held.append(HeldKill(kill: kill, key: key, line: lineIndex, report: template))
        if held.count > configuration.maxHeldKills {
            counters.killsEmittedEarlyForCapacity += 1
            emit(held.removeFirst(), into: &out)
        }
    }

    private mutating func handleExiting(_ v: VictimExiting, _ line: KernelLine, into out: inout [KernelEvent]) {
        counters.skippedVictims += 1
        var source: Report?
        if group == nil {
            if let i = pending.firstIndex(where: { $0.summary?.pid == v.pid })
                ?? pending.firstIndex(where: { $0.summary?.pid == nil && ($0.candidate == nil || $0.candidate?.pid == v.pid) }) {
                source = pending.remove(at: i)
            }
        } else {
            source = group?.template
        }
        let summaryMatches = source?.summary?.pid == v.pid
        out.append(.skippedVictim(SkippedVictim(
            pid: v.pid, comm: v.comm, context: v.context,
            trigger: source?.invocation.map(Self.trigger),
            taskCgroup: summaryMatches ? source?.summary?.taskMemcg : (group == nil ? source?.limit?.taskCgroup : nil),
            limitCgroup: source?.summary?.oomMemcg ?? source?.limit?.limitCgroup ?? group?.cgroup,
            realtimeMicros: line.realtimeMicros, monotonicMicros: line.monotonicMicros, bootID: line.bootID ?? currentBoot)))
    }

    // MARK: - Building kills

    static func trigger(_ inv: OOMInvocation) -> OOMKill.Trigger {
        OOMKill.Trigger(comm: inv.comm, gfpMask: inv.gfpMask, gfpFlags: inv.gfpFlags, order: inv.order, oomScoreAdj: inv.oomScoreAdj)
    }

    private func buildKill(_ k: KilledProcess, _ line: KernelLine, report: Report?, groupCgroup: String?) -> OOMKill {
        let s = report?.summary
        let isMember = groupCgroup != nil
        let summaryMatches = !isMember && s != nil && (s?.pid == nil || s?.pid == k.pid)
        let candidate = isMember ? nil : report?.candidate
        let victim = OOMKill.Victim(
            pid: k.pid, comm: k.comm, uid: k.uid ?? (summaryMatches ? s?.uid : nil),
            totalVmKB: k.totalVmKB, anonRssKB: k.anonRssKB, fileRssKB: k.fileRssKB, shmemRssKB: k.shmemRssKB,
            pgtablesKB: k.pgtablesKB, oomScoreAdj: k.oomScoreAdj,
            score: candidate?.pid == k.pid ? candidate?.score : nil)
        let boot = line.bootID ?? currentBoot
        var kill = OOMKill(
            id: OOMKill.makeID(bootID: boot, monotonicMicros: line.monotonicMicros, realtimeMicros: line.realtimeMicros, pid: k.pid, comm: k.comm),
            bootID: boot, realtimeMicros: line.realtimeMicros, monotonicMicros: line.monotonicMicros,
            context: k.context, trigger: report?.invocation.map(Self.trigger), victim: victim,
            constraint: Self.constraint(report: report, context: k.context),
            limitCgroup: s?.oomMemcg ?? report?.limit?.limitCgroup,
            taskCgroup: isMember ? nil : ((summaryMatches ? s?.taskMemcg : nil) ?? report?.limit?.taskCgroup),
            cpuset: s?.cpuset ?? report?.cpuset?.cpuset,
            memsAllowed: s?.memsAllowed ?? report?.cpuset?.memsAllowed,
            memcg: Self.memcgState(report),
            candidate: candidate.map { OOMKill.Candidate(pid: $0.pid, comm: $0.comm, score: $0.score) },
            reaped: nil, oomGroupCgroup: groupCgroup, owner: .unknown(""), limitOwner: nil)
        kill.resolveOwners()
        return kill
    }

    static func constraint(report: Report?, context: OOMMessageContext) -> OOMConstraint {
        if let c = report?.summary?.constraint { return c }
        if report?.summary?.globalOOM == true { return .global }
        if report?.summary?.oomMemcg != nil || report?.limit != nil { return .memcg }
        let contexts = [context, report?.candidate?.context ?? .none]
        if contexts.contains(.memoryCgroup) { return .memcg }
        if contexts.contains(.global) || contexts.contains(.allocatingTask) { return .global }
        return .unknown
    }

    static func memcgState(_ report: Report?) -> OOMKill.MemcgState? {
        guard let r = report, r.memory != nil || r.swap != nil else { return nil }
        return OOMKill.MemcgState(usageKB: r.memory?.usageKB, limitKB: r.memory?.limitKB, failcnt: r.memory?.failcnt,
                                  swapUsageKB: r.swap?.usageKB, swapLimitKB: r.swap?.limitKB, swapFailcnt: r.swap?.failcnt)
    }

    /// A report that names a victim (summary with pid) but whose kill line never came.
    private func killFromSummary(_ r: Report) -> OOMKill? {
        guard let s = r.summary, let pid = s.pid else { return nil }
        let comm = s.task ?? ProcessName(bytes: [])
        var kill = OOMKill(
            id: OOMKill.makeID(bootID: r.bootID, monotonicMicros: r.summaryMono, realtimeMicros: r.summaryRealtime, pid: pid, comm: comm),
            bootID: r.bootID, realtimeMicros: r.summaryRealtime, monotonicMicros: r.summaryMono,
            context: s.oomMemcg != nil ? .memoryCgroup : (s.globalOOM ? .global : .none),
            trigger: r.invocation.map(Self.trigger),
            victim: OOMKill.Victim(pid: pid, comm: comm, uid: s.uid),
            constraint: Self.constraint(report: r, context: .none),
            limitCgroup: s.oomMemcg, taskCgroup: s.taskMemcg, cpuset: s.cpuset ?? r.cpuset?.cpuset,
            memsAllowed: s.memsAllowed ?? r.cpuset?.memsAllowed, memcg: Self.memcgState(r),
            candidate: nil, reaped: nil, oomGroupCgroup: nil, owner: .unknown(""), limitOwner: nil)
        kill.resolveOwners()
        return kill
    }

    // MARK: - Bookkeeping

    private mutating func nextSerial() -> Int {
        serial += 1
        return serial
    }

    private mutating func appendReport(_ r: Report, into out: inout [KernelEvent]) {
        pending.append(r)
        if pending.count > configuration.maxPendingReports {
            counters.reportsDroppedForCapacity += 1
            expireReport(pending.removeFirst(), into: &out)
        }
    }

    private mutating func expireReport(_ r: Report, into out: inout [KernelEvent]) {
        if let kill = killFromSummary(r) {
            counters.killsWithoutKillLine += 1
            if kill.trigger == nil { counters.killsWithoutHeader += 1 }
            let key = KillKey(bootID: kill.bootID, pid: kill.victim.pid, comm: kill.victim.comm.bytes)
            emit(HeldKill(kill: kill, key: key, line: lineIndex, report: r), into: &out)
        } else {
            counters.reportsWithoutKill += 1
        }
    }

    private mutating func emit(_ h: HeldKill, into out: inout [KernelEvent]) {
        counters.killsEmitted += 1
        let entry = RecentKill(key: h.key, mono: h.kill.monotonicMicros, line: h.line)
        if recent.count < configuration.recentKillMemory {
            recent.append(entry)
        } else if !recent.isEmpty {
            recent[recentNext] = entry
            recentNext = (recentNext + 1) % recent.count
        }
        out.append(.kill(h.kill))
    }

    private func isRecentDuplicate(_ key: KillKey, mono: Int64?) -> Bool {
        for r in recent where r.key == key {
            if let a = r.mono, let b = mono {
                if abs(a - b) <= configuration.duplicateWindowMicros { return true }
            } else if lineIndex - r.line <= configuration.holdLines {
                return true
            }
        }
        return false
    }

    private mutating func expire(now: Int64?, into out: inout [KernelEvent]) {
        while let first = held.first {
            let byTime = now != nil && first.kill.monotonicMicros != nil && now! - first.kill.monotonicMicros! > configuration.holdMicros
            let byLines = lineIndex - first.line > configuration.holdLines
            guard byTime || byLines else { break }
            emit(held.removeFirst(), into: &out)
        }
        while let first = pending.first {
            let byTime = now != nil && first.firstMono != nil && now! - first.firstMono! > configuration.reportWindowMicros
            let byLines = lineIndex - first.firstLine > configuration.reportWindowLines
            guard byTime || byLines else { break }
            expireReport(pending.removeFirst(), into: &out)
        }
        if let g = group {
            let byTime = now != nil && g.mono != nil && now! - g.mono! > configuration.holdMicros
            if byTime || lineIndex - g.line > configuration.holdLines { group = nil }
        }
    }

    private mutating func flushAll(into out: inout [KernelEvent]) {
        for h in held { emit(h, into: &out) }
        held.removeAll()
        for r in pending { expireReport(r, into: &out) }
        pending.removeAll()
        group = nil
        awaiting = nil
        lastMono = nil
    }
}
