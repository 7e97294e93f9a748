/// One OOM kill, assembled from the kernel's multi-line report.
///
/// Only `victim.pid`/`victim.comm` are guaranteed (the `Killed process` line); every other
/// field is `nil` when its line was rate-limited, cut off, or not printed by that kernel.
/// Encodes with camelCase keys; nil fields are omitted.
public struct OOMKill: Sendable, Hashable, Codable {
    /// The allocating task that invoked the OOM killer.
    public struct Trigger: Sendable, Hashable, Codable {
        public var comm: ProcessName
        /// `gfp_mask` as printed, e.g. `0xcc0`.
        public var gfpMask: String?
        /// Decoded flags, e.g. `GFP_KERNEL` (4.8+).
        public var gfpFlags: String?
        public var order: Int?
        public var oomScoreAdj: Int?

        public init(comm: ProcessName, gfpMask: String? = nil, gfpFlags: String? = nil, order: Int? = nil, oomScoreAdj: Int? = nil) {
            self.comm = comm
            self.gfpMask = gfpMask
            self.gfpFlags = gfpFlags
            self.order = order
            self.oomScoreAdj = oomScoreAdj
        }
    }

    /// The killed process and its memory at the kill.
    public struct Victim: Sendable, Hashable, Codable {
        public var pid: Int
        public var comm: ProcessName
        public var uid: UInt32?
        public var totalVmKB: UInt64?
        public var anonRssKB: UInt64?
        public var fileRssKB: UInt64?
        public var shmemRssKB: UInt64?
        public var pgtablesKB: UInt64?
        public var oomScoreAdj: Int?
        /// Badness score (`Kill process … score S`, kernels before 5.0) when this pid was the candidate.
        public var score: Int?

        public init(pid: Int, comm: ProcessName, uid: UInt32? = nil, totalVmKB: UInt64? = nil, anonRssKB: UInt64? = nil,
                    fileRssKB: UInt64? = nil, shmemRssKB: UInt64? = nil, pgtablesKB: UInt64? = nil, oomScoreAdj: Int? = nil,
                    score: Int? = nil) {
            self.pid = pid
            self.comm = comm
            self.uid = uid
            self.totalVmKB = totalVmKB
            self.anonRssKB = anonRssKB
            self.fileRssKB = fileRssKB
            self.shmemRssKB = shmemRssKB
            self.pgtablesKB = pgtablesKB
            self.oomScoreAdj = oomScoreAdj
            self.score = score
        }
    }

    /// The process the kernel selected (`Kill process N (comm) score S or sacrifice child`,
    /// before 5.0). The killed pid can be a child of it.
    public struct Candidate: Sendable, Hashable, Codable {
        public var pid: Int
        public var comm: ProcessName
        public var score: Int

        public init(pid: Int, comm: ProcessName, score: Int) {
            self.pid = pid
            self.comm = comm
            self.score = score
        }
    }

    /// The limiting memcg's counters printed with the report (`memory: usage …`).
    public struct MemcgState: Sendable, Hashable, Codable {
        public var usageKB: UInt64?
        public var limitKB: UInt64?
        public var failcnt: UInt64?
        /// `memory+swap:` (v1) or `swap:` (v2) usage/limit/failcnt.
        public var swapUsageKB: UInt64?
        public var swapLimitKB: UInt64?
        public var swapFailcnt: UInt64?

        public init(usageKB: UInt64? = nil, limitKB: UInt64? = nil, failcnt: UInt64? = nil, swapUsageKB: UInt64? = nil,
                    swapLimitKB: UInt64? = nil, swapFailcnt: UInt64? = nil) {
            self.usageKB = usageKB
            self.limitKB = limitKB
            self.failcnt = failcnt
            self.swapUsageKB = swapUsageKB
            self.swapLimitKB = swapLimitKB
            self.swapFailcnt = swapFailcnt
        }
    }

    /// RSS left after the oom_reaper reaped the victim.
    public struct Reaped: Sendable, Hashable, Codable {
        public var anonRssKB: UInt64
        public var fileRssKB: UInt64
        public var shmemRssKB: UInt64

        public init(anonRssKB: UInt64, fileRssKB: UInt64, shmemRssKB: UInt64) {
            self.anonRssKB = anonRssKB
            self.fileRssKB = fileRssKB
            self.shmemRssKB = shmemRssKB
        }
    }

    /// Stable identity: the same kill seen twice (journal replay, kmsg and journal) has the same id.
    public var id: String
    public var bootID: String?
    /// Wall-clock time of the `Killed process` line, µs since the epoch.
    public var realtimeMicros: Int64?
    /// Kernel (CLOCK_MONOTONIC) time of the `Killed process` line, µs.
    public var monotonicMicros: Int64?
    /// The prefix of the kill line (`Memory cgroup out of memory`, `Out of memory`, none).
    public var context: OOMMessageContext
    /// `nil` when the `invoked oom-killer` header was not seen (rate-limited storm, cut-off log).
    public var trigger: Trigger?
    public var victim: Victim
    public var constraint: OOMConstraint
    /// The cgroup whose limit was hit (`oom_memcg`, or `limit of` on old kernels); `nil` for a global OOM.
    public var limitCgroup: String?
    /// The victim's cgroup (`task_memcg`, or `Task in` on old kernels).
    public var taskCgroup: String?
    public var cpuset: String?
    public var memsAllowed: String?
    public var memcg: MemcgState?
    public var candidate: Candidate?
    public var reaped: Reaped?
    /// The `memory.oom.group` cgroup when the kill was part of a group kill.
    public var oomGroupCgroup: String?
    /// Owner of `taskCgroup`, else of `oomGroupCgroup`, else of `limitCgroup`; `.unknown("")` if none was printed.
    public var owner: CgroupOwner
    /// Owner of `limitCgroup`.
    public var limitOwner: CgroupOwner?

    public init(id: String, bootID: String?, realtimeMicros: Int64?, monotonicMicros: Int64?, context: OOMMessageContext,
                trigger: Trigger?, victim: Victim, constraint: OOMConstraint, limitCgroup: String?, taskCgroup: String?,
                cpuset: String?, memsAllowed: String?, memcg: MemcgState?, candidate: Candidate?, reaped: Reaped?,
                oomGroupCgroup: String?, owner: CgroupOwner, limitOwner: CgroupOwner?) {
        self.id = id
        self.bootID = bootID
        self.realtimeMicros = realtimeMicros
        self.monotonicMicros = monotonicMicros
        self.context = context
        self.trigger = trigger
        self.victim = victim
        self.constraint = constraint
        self.limitCgroup = limitCgroup
        self.taskCgroup = taskCgroup
        self.cpuset = cpuset
        self.memsAllowed = memsAllowed
        self.memcg = memcg
        self.candidate = candidate
        self.reaped = reaped
        self.oomGroupCgroup = oomGroupCgroup
        self.owner = owner
        self.limitOwner = limitOwner
    }

    /// This kill with the fields it lacks taken from `other`, another copy of the same kill (the other
    /// source, or a replay): a copy released before the `oom_reaper` line, or one whose report the
    /// kernel's rate limit cut, is completed; nothing this copy has is replaced.
    public func enriched(with other: OOMKill) -> OOMKill {
        var k = self
        k.bootID = k.bootID ?? other.bootID
        k.realtimeMicros = k.realtimeMicros ?? other.realtimeMicros
        k.monotonicMicros = k.monotonicMicros ?? other.monotonicMicros
        if k.context == .none { k.context = other.context }
        k.trigger = k.trigger ?? other.trigger
        k.victim.uid = k.victim.uid ?? other.victim.uid
        k.victim.totalVmKB = k.victim.totalVmKB ?? other.victim.totalVmKB
        k.victim.anonRssKB = k.victim.anonRssKB ?? other.victim.anonRssKB
        k.victim.fileRssKB = k.victim.fileRssKB ?? other.victim.fileRssKB
        k.victim.shmemRssKB = k.victim.shmemRssKB ?? other.victim.shmemRssKB
        k.victim.pgtablesKB = k.victim.pgtablesKB ?? other.victim.pgtablesKB
        k.victim.oomScoreAdj = k.victim.oomScoreAdj ?? other.victim.oomScoreAdj
        k.victim.score = k.victim.score ?? other.victim.score
        if k.constraint == .unknown { k.constraint = other.constraint }
        // The owner follows the most specific cgroup known (task, else group, else limit): take the other
        // copy's (resolved and named from it) when only it has a more specific one.
        func specificity(_ kill: OOMKill) -> Int { kill.taskCgroup != nil ? 3 : kill.oomGroupCgroup != nil ? 2 : kill.limitCgroup != nil ? 1 : 0 }
        if specificity(other) > specificity(k) { k.owner = other.owner }
        if k.limitCgroup == nil, other.limitCgroup != nil { k.limitOwner = other.limitOwner }
        k.limitCgroup = k.limitCgroup ?? other.limitCgroup
        k.taskCgroup = k.taskCgroup ?? other.taskCgroup
        k.cpuset = k.cpuset ?? other.cpuset
        k.memsAllowed = k.memsAllowed ?? other.memsAllowed
        k.memcg = k.memcg ?? other.memcg
        k.candidate = k.candidate ?? other.candidate
        k.reaped = k.reaped ?? other.reaped
        k.oomGroupCgroup = k.oomGroupCgroup ?? other.oomGroupCgroup
        return k
    }

    /// Whether the kill belongs to the node rooted at the cgroup `hierarchyPrefix` (a node nested in a
    /// container shares the kernel, and so its log, with its host's other nodes): its task cgroup (else
    /// group, else limit cgroup) is the prefix or under it. True without a prefix, and when the kernel
    /// printed no cgroup (a rate-limited report): such a kill cannot be placed and is kept.
    public func isWithin(hierarchyPrefix: String) -> Bool {
        let prefix = CgroupPath.normalizedPrefix(hierarchyPrefix)
        guard !prefix.isEmpty, let path = taskCgroup ?? oomGroupCgroup ?? limitCgroup else { return true }
        return path == prefix || path.hasPrefix(prefix + "/")
    }

    /// Recomputes `owner` and `limitOwner` from the cgroup paths.
    public mutating func resolveOwners() {
        let path = taskCgroup ?? oomGroupCgroup ?? limitCgroup
        owner = path.map(CgroupPathClassifier.classify) ?? .unknown("")
        // The path cannot tell the pod sandbox from an app container; the victim's name can: the
        // sandbox's only process is the pause binary, whose comm is `pause`.
        if case .pod(var pod) = owner, pod.containerID != nil, victim.comm.bytes == Self.pauseComm {
            pod.isSandbox = true
            owner = .pod(pod)
        }
        limitOwner = limitCgroup.map(CgroupPathClassifier.classify)
    }

    private static let pauseComm = Array("pause".utf8)

    /// The stable id of a kill: 16 hex digits of FNV-1a-64 over `bootID|time|pid|comm`, where
    /// time is the monotonic µs of the `Killed process` line (`m…`), else its realtime (`r…`).
    public static func makeID(bootID: String?, monotonicMicros: Int64?, realtimeMicros: Int64?, pid: Int, comm: ProcessName) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01B3
            }
        }
        mix((bootID ?? "").utf8)
        mix([0x7C])
        if let m = monotonicMicros { mix("m\(m)".utf8) } else if let r = realtimeMicros { mix("r\(r)".utf8) }
        mix([0x7C])
        mix(String(pid).utf8)
        mix([0x7C])
        mix(comm.bytes)
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
