/// The outcome of looking at one kernel message.
public enum KernelRecordParseResult: Sendable, Hashable {
    /// Not an OOM or kernel-error line (the vast majority of kernel lines).
    case irrelevant
    /// A parsed record.
    case record(KernelRecord)
    /// It starts like an OOM line (e.g. `Killed process`) but could not be parsed.
    case malformed
}

/// Parses kernel messages (without any timestamp/syslog prefix) into `KernelRecord`s.
///
/// Works directly on bytes. Unrelated lines are rejected by a dispatch on the first byte
/// plus a bounded scan for ` invoked oom-killer: ` / ` cpuset=` in the first 80 bytes
/// (those two lines start with an arbitrary process name); no allocation happens for them.
/// Formats covered: kernels 3.10 (incl. RHEL 7 variants) through 6.x; see the fixtures.
public enum KernelRecordParser {
    /// Longest process name accepted inside `(…)`. The kernel's limit is 15 bytes; some
    /// sources escape bytes as `\xNN` (4 characters each), so allow for that.
    static let maxCommLength = 64
    /// How far into a line ` invoked oom-killer: ` may start.
    static let maxLeadingCommScan = 80

    /// Parses `message`; `nil` when the line is irrelevant or malformed.
    public static func parse(_ message: [UInt8]) -> KernelRecord? {
        if case .record(let r) = classify(message) { return r }
        return nil
    }

    /// Parses a message given as text (convenience for tests and tools).
    public static func parse(_ message: String) -> KernelRecord? {
        parse(Array(message.utf8))
    }

    /// Classifies `message` as irrelevant, a record, or malformed.
    public static func classify(_ message: [UInt8]) -> KernelRecordParseResult {
        message.withUnsafeBufferPointer { classify($0) }
    }

    /// Classifies the bytes in `buffer` as irrelevant, a record, or malformed.
    public static func classify(_ buffer: UnsafeBufferPointer<UInt8>) -> KernelRecordParseResult {
        var end = buffer.count
        while end > 0 {
            let c = buffer[end - 1]
            if c == 0x0A || c == 0x0D || c == 0x20 || c == 0x00 || c == 0x09 { end -= 1 } else { break }
        }
        guard end >= 6 else { return .irrelevant }
        let b = UnsafeBufferPointer(rebasing: buffer[0..<end])

        switch b[0] {
        case UInt8(ascii: "o"):
            if b.matches("oom-kill:", at: 0) { return summary(b, from: 9, continuation: false) }
            if b.matches("oom_reaper: reaped process ", at: 0) { return reaped(b, at: 27) }
        case UInt8(ascii: ","):
            return summaryFragment(b)
        case UInt8(ascii: "O"):
            if b.matches("Out of memory", at: 0) {
                if b.matches(": ", at: 13) { return contextual(b, at: 15, context: .global) }
                if b.matches(" (oom_kill_allocating_task): ", at: 13) { return contextual(b, at: 42, context: .allocatingTask) }
            }
            if b.matches("Oops", at: 0), end > 4, b[4] == UInt8(ascii: ":") || b[4] == UInt8(ascii: " ") {
                return .record(.kernelError(kind: .oops, message: b.text(0..<end)))
            }
        case UInt8(ascii: "M"):
            if b.matches("Memory cgroup out of memory: ", at: 0) { return contextual(b, at: 29, context: .memoryCgroup) }
        case UInt8(ascii: "m"):
            if b.matches("memory: usage ", at: 0) { return counters(b, at: 14, kind: .memory) }
            if b.matches("memory+swap: usage ", at: 0) { return counters(b, at: 19, kind: .memorySwap) }
        case UInt8(ascii: "s"):
            if b.matches("swap: usage ", at: 0) { return counters(b, at: 12, kind: .swap) }
        case UInt8(ascii: "k"):
            if b.matches("kmem: usage ", at: 0) { return counters(b, at: 12, kind: .kmem) }
            if b.matches("kernel BUG at ", at: 0) { return .record(.kernelError(kind: .kernelBug, message: b.text(0..<end))) }
        case UInt8(ascii: "K"):
            if b.matches("Killed process ", at: 0) { return killed(b, at: 15, context: .none) }
            if b.matches("Kernel panic - not syncing", at: 0) { return .record(.kernelError(kind: .panic, message: b.text(0..<end))) }
        case UInt8(ascii: "T"):
            if b.matches("Task in ", at: 0) { return taskIn(b) }
            if b.matches("Tasks in ", at: 0) { return oomGroup(b) }
        case UInt8(ascii: "B"):
            if b.matches("BUG: ", at: 0) { return .record(.kernelError(kind: .bug, message: b.text(0..<end))) }
        case UInt8(ascii: "g"):
            if b.matches("general protection fault", at: 0) {
                return .record(.kernelError(kind: .generalProtectionFault, message: b.text(0..<end)))
            }
        default:
            break
        }
        return commLed(b)
    }

    // MARK: - Lines that start with a process name

    private static func commLed(_ b: ByteBuffer) -> KernelRecordParseResult {
        let limit = min(b.count, maxLeadingCommScan)
        var p = 0
        while p < limit {
            if b[p] == 0x20 {
                if b.matches(" invoked oom-killer: ", at: p) {
                    return invoked(b, commEnd: p)
                }
                if b.matches(" cpuset=", at: p), let r = cpusetLine(b, commEnd: p) {
                    return .record(r)
                }
            }
            p += 1
        }
        return .irrelevant
    }

    /// `<comm> invoked oom-killer: gfp_mask=0x..(FLAGS), [nodemask=..., ]order=N, oom_score_adj=N`
    private static func invoked(_ b: ByteBuffer, commEnd: Int) -> KernelRecordParseResult {
        var inv = OOMInvocation(comm: ProcessName(bytes: b.bytes(0..<commEnd)))
        var i = commEnd + 21
        var sawField = false
        while i < b.count {
            while i < b.count && b[i] == 0x20 { i += 1 }
            let sep = b.find(", ", from: i) ?? b.count
            guard let eq = b.index(of: UInt8(ascii: "="), from: i, to: sep) else { break }
            let valueStart = eq + 1
            if b.matches("gfp_mask", at: i) && eq == i + 8 {
                if let paren = b.index(of: UInt8(ascii: "("), from: valueStart, to: sep) {
                    inv.gfpMask = b.text(valueStart..<paren)
                    var close = sep
                    while close > paren + 1 && b[close - 1] != UInt8(ascii: ")") { close -= 1 }
                    inv.gfpFlags = close > paren + 1 ? b.text((paren + 1)..<(close - 1)) : ""
                } else {
                    inv.gfpMask = b.text(valueStart..<sep)
                }
                sawField = true
            } else if b.matches("order", at: i) && eq == i + 5 {
                inv.order = b.parseSigned(at: valueStart)?.value
                sawField = true
            } else if b.matches("oom_score_adj", at: i) && eq == i + 13 {
                inv.oomScoreAdj = b.parseSigned(at: valueStart)?.value
                sawField = true
            } else if b.matches("nodemask", at: i) && eq == i + 8 {
                inv.nodemask = b.text(valueStart..<sep)
            }
            i = sep + 2
        }
        return sawField ? .record(.oomInvoked(inv)) : .malformed
    }

    /// `<comm> cpuset=<name> mems_allowed=<nodes>`
    private static func cpusetLine(_ b: ByteBuffer, commEnd: Int) -> KernelRecord? {
        guard let mems = b.findLast(" mems_allowed=", from: commEnd + 8) else { return nil }
        return .cpusetInfo(CpusetInfo(
            comm: ProcessName(bytes: b.bytes(0..<commEnd)),
            cpuset: b.text((commEnd + 8)..<mems),
            memsAllowed: b.text((mems + 14)..<b.count)))
    }

    // MARK: - oom-kill: summary

    private static func summaryFragment(_ b: ByteBuffer) -> KernelRecordParseResult {
        if b.matches(",oom_memcg=", at: 0) || b.matches(",global_oom", at: 0) || b.matches(",task_memcg=", at: 0)
            || b.matches(",task=", at: 0) || b.matches(",cpuset=", at: 0) || b.matches(",mems_allowed=", at: 0)
            || b.matches(",nodemask=", at: 0) || b.matches(",pid=", at: 0) || b.matches(",uid=", at: 0) {
            return summary(b, from: 0, continuation: true)
        }
        return .irrelevant
    }

    private enum SummaryField: Int {
        case constraint, nodemask, cpuset, memsAllowed, oomMemcg, globalOOM, taskMemcg, task, pid, uid
    }

    /// Parses `constraint=…,nodemask=…,cpuset=…,mems_allowed=…,oom_memcg=…|global_oom,task_memcg=…,task=…,pid=…,uid=…`.
    /// Keys are located in kernel order; a value runs to the next located key, so values may
    /// contain commas (node lists like `0,2`, cgroup paths).
    private static func summary(_ b: ByteBuffer, from start: Int, continuation: Bool) -> KernelRecordParseResult {
        var found: [(field: SummaryField, keyStart: Int, valueStart: Int)] = []
        found.reserveCapacity(10)
        var cursor = start
        func locate(_ key: StaticString, _ field: SummaryField) {
            if let at = b.find(key, from: cursor) {
                found.append((field, at, at + key.utf8CodeUnitCount))
                cursor = at + key.utf8CodeUnitCount
            }
        }
        if !continuation {
            guard b.matches("constraint=", at: start) else { return .malformed }
            found.append((.constraint, start, start + 11))
            cursor = start + 11
        }
        locate(",nodemask=", .nodemask)
        locate(",cpuset=", .cpuset)
        locate(",mems_allowed=", .memsAllowed)
        let memcgCursor = cursor
        if let at = b.find(",oom_memcg=", from: memcgCursor) {
            found.append((.oomMemcg, at, at + 11))
            cursor = at + 11
        } else if let at = globalOOMIndex(b, from: memcgCursor) {
            found.append((.globalOOM, at, at + 11))
            cursor = at + 11
        }
        locate(",task_memcg=", .taskMemcg)
        locate(",task=", .task)
        locate(",pid=", .pid)
        locate(",uid=", .uid)
        guard !found.isEmpty else { return .malformed }
        // Found keys must be in increasing position order by construction; compute value ends.
        var s = OOMSummary(isContinuation: continuation)
        for (k, entry) in found.enumerated() {
            let valueEnd = k + 1 < found.count ? found[k + 1].keyStart : b.count
            let range = entry.valueStart..<max(entry.valueStart, valueEnd)
            let isLast = k + 1 == found.count
            switch entry.field {
            case .constraint: s.constraint = OOMConstraint(kernelName: b.text(range))
            case .nodemask: s.nodemask = b.text(range)
            case .cpuset: s.cpuset = b.text(range)
            case .memsAllowed: s.memsAllowed = b.text(range)
            case .oomMemcg: s.oomMemcg = b.text(range)
            case .globalOOM: s.globalOOM = true
            case .taskMemcg: s.taskMemcg = b.text(range)
            case .task: s.task = ProcessName(bytes: b.bytes(range))
            case .pid: s.pid = b.parseSigned(at: range.lowerBound).map { $0.value }
            case .uid: s.uid = b.parseUnsigned(at: range.lowerBound).map { UInt32(clamping: $0.value) }
            }
            if isLast && range.isEmpty {
                switch entry.field {
                case .nodemask: s.awaitingValue = .nodemask; s.nodemask = nil
                case .cpuset: s.awaitingValue = .cpuset; s.cpuset = nil
                case .memsAllowed: s.awaitingValue = .memsAllowed; s.memsAllowed = nil
                case .oomMemcg: s.awaitingValue = .oomMemcg; s.oomMemcg = nil
                case .taskMemcg: s.awaitingValue = .taskMemcg; s.taskMemcg = nil
                case .task: s.awaitingValue = .task; s.task = nil
                default: break
                }
            }
        }
        return .record(.oomSummary(s))
    }

    private static func globalOOMIndex(_ b: ByteBuffer, from: Int) -> Int? {
        var from = from
        while let at = b.find(",global_oom", from: from) {
            let after = at + 11
            if after == b.count || b[after] == UInt8(ascii: ",") { return at }
            from = at + 1
        }
        return nil
    }

    // MARK: - memcg lines

    /// `Task in /A killed as a result of limit of /B`
    private static func taskIn(_ b: ByteBuffer) -> KernelRecordParseResult {
        guard let mid = b.find(" killed as a result of limit of ", from: 8) else { return .malformed }
        return .record(.memcgLimit(MemcgLimitInfo(taskCgroup: b.text(8..<mid), limitCgroup: b.text((mid + 32)..<b.count))))
    }

    /// `Tasks in <cgroup> are going to be killed due to memory.oom.group set`
    private static func oomGroup(_ b: ByteBuffer) -> KernelRecordParseResult {
        guard let mid = b.findLast(" are going to be killed due to memory.oom.group", from: 9) else { return .malformed }
        return .record(.oomGroup(cgroup: b.text(9..<mid)))
    }

    /// `usage NkB, limit NkB, failcnt N`
    private static func counters(_ b: ByteBuffer, at i: Int, kind: MemcgCounterKind) -> KernelRecordParseResult {
        guard let (usage, e1) = b.parseKilobytes(at: i), b.matches(", limit ", at: e1),
              let (limit, e2) = b.parseKilobytes(at: e1 + 8), b.matches(", failcnt ", at: e2),
              let (failcnt, _) = b.parseUnsigned(at: e2 + 10) else { return .malformed }
        return .record(.memcgCounters(MemcgCounterLine(kind: kind, usageKB: usage, limitKB: limit, failcnt: failcnt)))
    }

    // MARK: - kill lines

    /// After `Out of memory: ` / `Memory cgroup out of memory: `.
    private static func contextual(_ b: ByteBuffer, at i: Int, context: OOMMessageContext) -> KernelRecordParseResult {
        if b.matches("Killed process ", at: i) { return killed(b, at: i + 15, context: context) }
        if b.matches("Kill process ", at: i) { return candidate(b, at: i + 13, context: context) }
        if b.matches("OOM victim ", at: i) { return exiting(b, at: i + 11, context: context) }
        return .malformed
    }

    /// Parses `N (comm)` at `i` where the `)` must be followed by one of `terminators`.
    /// The comm may contain `(`, `)` and spaces: the last `)` within the comm window that is
    /// followed by a terminator wins (the text after the real `)` cannot contain another).
    private static func pidAndComm(_ b: ByteBuffer, at i: Int, terminators: [StaticString], lenient: Bool)
        -> (pid: Int, comm: ProcessName, closeParen: Int)? {
        guard let (pid, e) = b.parseSigned(at: i), b.matches(" (", at: e) else { return nil }
        let commStart = e + 2
        let windowEnd = min(b.count, commStart + maxCommLength + 1)
        var k = windowEnd - 1
        while k >= commStart {
            if b[k] == UInt8(ascii: ")") {
                for t in terminators where b.matches(t, at: k) {
                    return (pid, ProcessName(bytes: b.bytes(commStart..<k)), k)
                }
            }
            k -= 1
        }
        guard lenient else { return nil }
        // Unknown layout: first `)` followed by space, comma or the end of the line.
        k = commStart
        while k < windowEnd {
            if b[k] == UInt8(ascii: ")") && (k + 1 == b.count || b[k + 1] == 0x20 || b[k + 1] == UInt8(ascii: ",")) {
                return (pid, ProcessName(bytes: b.bytes(commStart..<k)), k)
            }
            k += 1
        }
        return nil
    }

    /// `N (comm)[, UID N], total-vm:NkB, anon-rss:NkB, file-rss:NkB[, shmem-rss:NkB][, UID:N pgtables:NkB oom_score_adj:N]`
    private static func killed(_ b: ByteBuffer, at i: Int, context: OOMMessageContext) -> KernelRecordParseResult {
        guard let (pid, comm, close) = pidAndComm(b, at: i, terminators: [") total-vm:", "), UID ", ")."], lenient: true)
        else { return .malformed }
        var k = KilledProcess(context: context, pid: pid, comm: comm)
        let tail = close + 1
        if b.matches(", UID ", at: tail), let (uid, _) = b.parseUnsigned(at: tail + 6) {
            k.uid = UInt32(clamping: uid)
        }
        if let at = b.find("total-vm:", from: tail) { k.totalVmKB = b.parseKilobytes(at: at + 9)?.value }
        if let at = b.find("anon-rss:", from: tail) { k.anonRssKB = b.parseKilobytes(at: at + 9)?.value }
        if let at = b.find("file-rss:", from: tail) { k.fileRssKB = b.parseKilobytes(at: at + 9)?.value }
        if let at = b.find("shmem-rss:", from: tail) { k.shmemRssKB = b.parseKilobytes(at: at + 10)?.value }
        if let at = b.find("UID:", from: tail), let (uid, _) = b.parseUnsigned(at: at + 4) { k.uid = UInt32(clamping: uid) }
        if let at = b.find("pgtables:", from: tail) { k.pgtablesKB = b.parseKilobytes(at: at + 9)?.value }
        if let at = b.find("oom_score_adj:", from: tail) { k.oomScoreAdj = b.parseSigned(at: at + 14)?.value }
        return .record(.killedProcess(k))
    }

    /// `N (comm) score S or sacrifice child`
    private static func candidate(_ b: ByteBuffer, at i: Int, context: OOMMessageContext) -> KernelRecordParseResult {
        guard let (pid, comm, close) = pidAndComm(b, at: i, terminators: [") score "], lenient: false),
              let (score, _) = b.parseSigned(at: close + 8) else { return .malformed }
        return .record(.killCandidate(KillCandidate(context: context, pid: pid, comm: comm, score: score)))
    }

    /// `N (comm) is already exiting. Skip killing the task`
    private static func exiting(_ b: ByteBuffer, at i: Int, context: OOMMessageContext) -> KernelRecordParseResult {
        guard let (pid, comm, _) = pidAndComm(b, at: i, terminators: [") is already exiting"], lenient: false)
        else { return .malformed }
        return .record(.victimExiting(VictimExiting(context: context, pid: pid, comm: comm)))
    }

    /// `oom_reaper: reaped process N (comm), now anon-rss:NkB, file-rss:NkB, shmem-rss:NkB`
    private static func reaped(_ b: ByteBuffer, at i: Int) -> KernelRecordParseResult {
        guard let (pid, comm, close) = pidAndComm(b, at: i, terminators: ["), now "], lenient: false),
              let a = b.find("anon-rss:", from: close), let (anon, _) = b.parseKilobytes(at: a + 9),
              let f = b.find("file-rss:", from: close), let (file, _) = b.parseKilobytes(at: f + 9)
        else { return .malformed }
        var shmem: UInt64 = 0
        if let s = b.find("shmem-rss:", from: close), let (v, _) = b.parseKilobytes(at: s + 10) { shmem = v }
        return .record(.oomReaped(ReapedProcess(pid: pid, comm: comm, anonRssKB: anon, fileRssKB: file, shmemRssKB: shmem)))
    }
}
