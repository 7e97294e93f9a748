/// The prefix the kernel puts before kill messages (`message` in `oom_kill_process`).
public enum OOMMessageContext: String, Sendable, Hashable, Codable {
    /// `Memory cgroup out of memory: …` — a memcg limit was hit.
    case memoryCgroup
    /// `Out of memory: …` — node-wide (or cpuset/mempolicy) shortage.
    case global
    /// `Out of memory (oom_kill_allocating_task): …`
    case allocatingTask
    /// No prefix (3.10-era `Killed process …` lines).
    case none
}

/// The allocation constraint of an OOM (`constraint=` of the `oom-kill:` summary).
public enum OOMConstraint: String, Sendable, Hashable, Codable, CaseIterable {
    /// `CONSTRAINT_NONE`: node-wide (global) OOM.
    case global
    /// `CONSTRAINT_MEMCG`: a memory cgroup limit.
    case memcg
    /// `CONSTRAINT_CPUSET`
    case cpuset
    /// `CONSTRAINT_MEMORY_POLICY`
    case memoryPolicy
    /// Not printed, or a value this parser does not know.
    case unknown

    /// Maps the kernel's constraint name.
    public init(kernelName: String) {
        switch kernelName {
        case "CONSTRAINT_NONE": self = .global
        case "CONSTRAINT_MEMCG": self = .memcg
        case "CONSTRAINT_CPUSET": self = .cpuset
        case "CONSTRAINT_MEMORY_POLICY": self = .memoryPolicy
        default: self = .unknown
        }
    }
}

/// `<comm> invoked oom-killer: gfp_mask=…, order=N, oom_score_adj=N` — starts an OOM report.
public struct OOMInvocation: Sendable, Hashable, Codable {
    /// The task whose allocation failed.
    public var comm: ProcessName
    /// `gfp_mask` as printed (`0xcc0`).
    public var gfpMask: String?
    /// The decoded flags in parentheses (`GFP_KERNEL`), 4.8+.
    public var gfpFlags: String?
    /// `nodemask=` when printed (4.9–4.19).
    public var nodemask: String?
    /// Allocation order.
    public var order: Int?
    /// The invoking task's `oom_score_adj`.
    public var oomScoreAdj: Int?

    public init(comm: ProcessName, gfpMask: String? = nil, gfpFlags: String? = nil, nodemask: String? = nil, order: Int? = nil, oomScoreAdj: Int? = nil) {
        self.comm = comm
        self.gfpMask = gfpMask
        self.gfpFlags = gfpFlags
        self.nodemask = nodemask
        self.order = order
        self.oomScoreAdj = oomScoreAdj
    }
}

/// `<comm> cpuset=<name> mems_allowed=<nodes>` (kernels before 5.0).
public struct CpusetInfo: Sendable, Hashable, Codable {
    public var comm: ProcessName
    public var cpuset: String
    public var memsAllowed: String

    public init(comm: ProcessName, cpuset: String, memsAllowed: String) {
        self.comm = comm
        self.cpuset = cpuset
        self.memsAllowed = memsAllowed
    }
}

/// The `oom-kill:constraint=…,task=…,pid=…,uid=…` summary (5.0+), or a continuation fragment of it.
public struct OOMSummary: Sendable, Hashable, Codable {
    /// A summary key, used to name a value still missing at the end of a fragment.
    public enum Key: String, Sendable, Hashable, Codable {
        case nodemask, cpuset, memsAllowed, oomMemcg, taskMemcg, task
    }

    public var constraint: OOMConstraint?
    public var nodemask: String?
    public var cpuset: String?
    public var memsAllowed: String?
    /// `oom_memcg=`: the cgroup whose limit was hit.
    public var oomMemcg: String?
    /// `global_oom` was printed in place of `oom_memcg`.
    public var globalOOM: Bool
    /// `task_memcg=`: the victim's cgroup.
    public var taskMemcg: String?
    /// `task=`: the victim's comm.
    public var task: ProcessName?
    public var pid: Int?
    public var uid: UInt32?
    /// The line began with `,` — a continuation fragment of a split summary.
    public var isContinuation: Bool
    /// The line ended with `key=` and no value: the value may follow as its own fragment.
    public var awaitingValue: Key?

    public init(constraint: OOMConstraint? = nil, nodemask: String? = nil, cpuset: String? = nil, memsAllowed: String? = nil,
                oomMemcg: String? = nil, globalOOM: Bool = false, taskMemcg: String? = nil, task: ProcessName? = nil,
                pid: Int? = nil, uid: UInt32? = nil, isContinuation: Bool = false, awaitingValue: Key? = nil) {
        self.constraint = constraint
        self.nodemask = nodemask
        self.cpuset = cpuset
        self.memsAllowed = memsAllowed
        self.oomMemcg = oomMemcg
        self.globalOOM = globalOOM
        self.taskMemcg = taskMemcg
        self.task = task
        self.pid = pid
        self.uid = uid
        self.isContinuation = isContinuation
        self.awaitingValue = awaitingValue
    }

    /// Whether the trailing `task=,pid=,uid=` part has been seen.
    public var isComplete: Bool { pid != nil }

    /// Fills the fields of `other` that are set, keeping existing values otherwise.
    public mutating func merge(_ other: OOMSummary) {
        constraint = constraint ?? other.constraint
        nodemask = nodemask ?? other.nodemask
        cpuset = cpuset ?? other.cpuset
        memsAllowed = memsAllowed ?? other.memsAllowed
        oomMemcg = oomMemcg ?? other.oomMemcg
        globalOOM = globalOOM || other.globalOOM
        taskMemcg = taskMemcg ?? other.taskMemcg
        task = task ?? other.task
        pid = pid ?? other.pid
        uid = uid ?? other.uid
        awaitingValue = other.awaitingValue
    }

    /// Sets the value of `key` (used when a value arrives as a bare fragment).
    public mutating func set(_ key: Key, value: String) {
        switch key {
        case .nodemask: nodemask = value
        case .cpuset: cpuset = value
        case .memsAllowed: memsAllowed = value
        case .oomMemcg: oomMemcg = value
        case .taskMemcg: taskMemcg = value
        case .task: task = ProcessName(display: value)
        }
        awaitingValue = nil
    }
}

/// `Task in /A killed as a result of limit of /B` (memcg OOM, kernels before 5.0).
public struct MemcgLimitInfo: Sendable, Hashable, Codable {
    /// `/A`: the victim's cgroup.
    public var taskCgroup: String
    /// `/B`: the cgroup whose limit was hit.
    public var limitCgroup: String

    public init(taskCgroup: String, limitCgroup: String) {
        self.taskCgroup = taskCgroup
        self.limitCgroup = limitCgroup
    }
}

/// Which counter a `<name>: usage NkB, limit NkB, failcnt N` line reports.
public enum MemcgCounterKind: String, Sendable, Hashable, Codable {
    case memory
    case memorySwap
    case swap
    case kmem
}

/// `memory: usage NkB, limit NkB, failcnt N` and its `memory+swap:`/`swap:`/`kmem:` siblings.
public struct MemcgCounterLine: Sendable, Hashable, Codable {
    public var kind: MemcgCounterKind
    public var usageKB: UInt64
    public var limitKB: UInt64
    public var failcnt: UInt64

    public init(kind: MemcgCounterKind, usageKB: UInt64, limitKB: UInt64, failcnt: UInt64) {
        self.kind = kind
        self.usageKB = usageKB
        self.limitKB = limitKB
        self.failcnt = failcnt
    }
}

/// `…: Kill process N (comm) score S or sacrifice child` (before 5.0): the selected task.
public struct KillCandidate: Sendable, Hashable, Codable {
    public var context: OOMMessageContext
    public var pid: Int
    public var comm: ProcessName
    public var score: Int

    public init(context: OOMMessageContext, pid: Int, comm: ProcessName, score: Int) {
        self.context = context
        self.pid = pid
        self.comm = comm
        self.score = score
    }
}

/// `[…: ]Killed process N (comm)[, UID N], total-vm:NkB, …` — the one line every kill prints.
public struct KilledProcess: Sendable, Hashable, Codable {
    public var context: OOMMessageContext
    public var pid: Int
    public var comm: ProcessName
    public var uid: UInt32?
    public var totalVmKB: UInt64?
    public var anonRssKB: UInt64?
    public var fileRssKB: UInt64?
    public var shmemRssKB: UInt64?
    public var pgtablesKB: UInt64?
    public var oomScoreAdj: Int?

    public init(context: OOMMessageContext, pid: Int, comm: ProcessName, uid: UInt32? = nil, totalVmKB: UInt64? = nil,
                anonRssKB: UInt64? = nil, fileRssKB: UInt64? = nil, shmemRssKB: UInt64? = nil, pgtablesKB: UInt64? = nil,
                oomScoreAdj: Int? = nil) {
        self.context = context
        self.pid = pid
        self.comm = comm
        self.uid = uid
        self.totalVmKB = totalVmKB
        self.anonRssKB = anonRssKB
        self.fileRssKB = fileRssKB
        self.shmemRssKB = shmemRssKB
        self.pgtablesKB = pgtablesKB
        self.oomScoreAdj = oomScoreAdj
    }
}

/// `oom_reaper: reaped process N (comm), now anon-rss:NkB, file-rss:NkB, shmem-rss:NkB`.
public struct ReapedProcess: Sendable, Hashable, Codable {
    public var pid: Int
    public var comm: ProcessName
    public var anonRssKB: UInt64
    public var fileRssKB: UInt64
    public var shmemRssKB: UInt64

    public init(pid: Int, comm: ProcessName, anonRssKB: UInt64, fileRssKB: UInt64, shmemRssKB: UInt64) {
        self.pid = pid
        self.comm = comm
        self.anonRssKB = anonRssKB
        self.fileRssKB = fileRssKB
        self.shmemRssKB = shmemRssKB
    }
}

/// `…: OOM victim N (comm) is already exiting. Skip killing the task` — a report with no kill.
public struct VictimExiting: Sendable, Hashable, Codable {
    public var context: OOMMessageContext
    public var pid: Int
    public var comm: ProcessName

    public init(context: OOMMessageContext, pid: Int, comm: ProcessName) {
        self.context = context
        self.pid = pid
        self.comm = comm
    }
}

/// The kind of a kernel error line.
public enum KernelErrorKind: String, Sendable, Hashable, Codable {
    /// `BUG: …` (NULL dereference, soft lockup, bad page state, …)
    case bug
    /// `kernel BUG at file:line!`
    case kernelBug
    /// `Kernel panic - not syncing: …`
    case panic
    /// `Oops: …`
    case oops
    /// `general protection fault…`
    case generalProtectionFault
}

/// One kernel log line that matters for OOM reporting, parsed.
public enum KernelRecord: Sendable, Hashable {
    case oomInvoked(OOMInvocation)
    case cpusetInfo(CpusetInfo)
    case oomSummary(OOMSummary)
    case memcgLimit(MemcgLimitInfo)
    case memcgCounters(MemcgCounterLine)
    case killCandidate(KillCandidate)
    case killedProcess(KilledProcess)
    case oomReaped(ReapedProcess)
    /// `Tasks in <cgroup> are going to be killed due to memory.oom.group set`
    case oomGroup(cgroup: String)
    case victimExiting(VictimExiting)
    /// A BUG/Oops/panic line; `message` is the whole line as text.
    case kernelError(kind: KernelErrorKind, message: String)
}
