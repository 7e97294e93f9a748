/// One tracked cgroup's sample from a poll.
public struct SampledCgroup: Sendable, Hashable, Codable {
    public var cgroup: TrackedCgroup
    public var sample: MemorySample
    /// True when the files were read in this poll; false when the sample is the one read in an earlier
    /// poll (pods and containers are re-read every `WorkloadRefreshSchedule.everyPolls` polls). History
    /// records fresh samples only.
    public var fresh: Bool

    public init(cgroup: TrackedCgroup, sample: MemorySample, fresh: Bool = true) {
        self.cgroup = cgroup
        self.sample = sample
        self.fresh = fresh
    }
}

/// Why a cgroup file could not be used.
public enum CgroupReadProblem: Sendable, Hashable, Codable {
    /// open/read failed with this errno (EACCES, EIO, …).
    case ioError(errno: Int32)
    /// The content did not parse.
    case malformed(CgroupParseError)
}



/// A warning about one unusable file, emitted at most once per rate-limit interval per
/// (file name, problem) key; `suppressedBefore` counts the occurrences swallowed since the
/// previous emitted warning with the same key.
public struct CgroupReadWarning: Sendable, Hashable, Codable {
    /// Full filesystem path of the file.
    public var filePath: String
    public var problem: CgroupReadProblem
    public var suppressedBefore: Int

    public init(filePath: String, problem: CgroupReadProblem, suppressedBefore: Int) {
        self.filePath = filePath
        self.problem = problem
        self.suppressedBefore = suppressedBefore
    }
}

/// The result of one poll of the cgroup tree.
public struct PollReport: Sendable, Hashable, Codable {
    /// Samples of the cgroups that existed through the poll, in walk order.
    public var samples: [SampledCgroup]
    /// The node's capacity and meminfo figures; nil if /proc/meminfo was unusable.
    public var node: NodeMemoryInfo?
    /// Cgroups listed by the walk that vanished before their files could be read (normal churn).
    public var vanishedCgroups: Int
    /// Files that existed but could not be read (EACCES, EIO, …) in this poll.
    public var unreadableFiles: Int
    /// Files whose content did not parse in this poll.
    public var malformedFiles: Int
    /// Warnings that passed the rate limiter in this poll (hand them to the logger).
    public var warnings: [CgroupReadWarning]
    /// Wall time of the poll in nanoseconds (walk + reads + parsing).
    public var durationNanos: UInt64

    public init(
        samples: [SampledCgroup], node: NodeMemoryInfo?, vanishedCgroups: Int, unreadableFiles: Int,
        malformedFiles: Int, warnings: [CgroupReadWarning], durationNanos: UInt64
    ) {
        self.samples = samples
        self.node = node
        self.vanishedCgroups = vanishedCgroups
        self.unreadableFiles = unreadableFiles
        self.malformedFiles = malformedFiles
        self.warnings = warnings
        self.durationNanos = durationNanos
    }

    /// The sample of the cgroup at `path`, if sampled.
    public func sample(at path: String) -> SampledCgroup? { samples.first { $0.cgroup.path == path } }
}
