/// A kernel BUG / Oops / panic / general protection fault line.
public struct KernelError: Sendable, Hashable, Codable {
    public var kind: KernelErrorKind
    /// The whole line as text (invalid UTF-8 escaped).
    public var message: String
    public var realtimeMicros: Int64?
    public var monotonicMicros: Int64?
    public var bootID: String?

    public init(kind: KernelErrorKind, message: String, realtimeMicros: Int64? = nil, monotonicMicros: Int64? = nil, bootID: String? = nil) {
        self.kind = kind
        self.message = message
        self.realtimeMicros = realtimeMicros
        self.monotonicMicros = monotonicMicros
        self.bootID = bootID
    }

    /// `Kernel panic - not syncing: Out of memory…` (panic_on_oom, or nothing left to kill).
    public var isOutOfMemoryPanic: Bool {
        kind == .panic && (message.contains("not syncing: Out of memory") || message.contains("not syncing: System is deadlocked on memory"))
    }
}

/// An OOM report whose victim was already exiting, so nothing was killed
/// (`OOM victim N (comm) is already exiting. Skip killing the task`).
public struct SkippedVictim: Sendable, Hashable, Codable {
    public var pid: Int
    public var comm: ProcessName
    public var context: OOMMessageContext
    public var trigger: OOMKill.Trigger?
    public var taskCgroup: String?
    public var limitCgroup: String?
    public var realtimeMicros: Int64?
    public var monotonicMicros: Int64?
    public var bootID: String?

    public init(pid: Int, comm: ProcessName, context: OOMMessageContext, trigger: OOMKill.Trigger? = nil, taskCgroup: String? = nil,
                limitCgroup: String? = nil, realtimeMicros: Int64? = nil, monotonicMicros: Int64? = nil, bootID: String? = nil) {
        self.pid = pid
        self.comm = comm
        self.context = context
        self.trigger = trigger
        self.taskCgroup = taskCgroup
        self.limitCgroup = limitCgroup
        self.realtimeMicros = realtimeMicros
        self.monotonicMicros = monotonicMicros
        self.bootID = bootID
    }
}

/// What the assembler reports.
public enum KernelEvent: Sendable, Hashable {
    case kill(OOMKill)
    case kernelError(KernelError)
    case skippedVictim(SkippedVictim)
}
