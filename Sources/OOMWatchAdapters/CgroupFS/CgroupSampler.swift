#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OOMWatchCore
import Synchronization

/// Configuration of a `CgroupSampler`. Every root is injectable.
public struct CgroupSamplerConfiguration: Sendable, Hashable {
    /// cgroup filesystem root (default `/sys/fs/cgroup`).
    public var cgroupRoot: String
    /// procfs root for `meminfo` (default `/proc`).
    public var procRoot: String
    /// Subtree of the hierarchy treated as the root (tests: `/oomwatch-test-<pid>-…`); "" = real root.
    public var hierarchyPrefix: String
    /// Layout to use; nil = detect from `cgroupRoot`.
    public var layout: CgroupLayout?
    /// Minimum seconds between two warnings about the same file name and problem.
    public var warningIntervalSeconds: Int64
    /// How often pods and their containers are re-read (the node, kubepods, QoS tiers, slices and units
    /// are read in every poll). Between reads, a pod's last samples are reported as not fresh.
    public var workloadRefresh: WorkloadRefreshSchedule

    public init(
        cgroupRoot: String = "/sys/fs/cgroup", procRoot: String = "/proc", hierarchyPrefix: String = "",
        layout: CgroupLayout? = nil, warningIntervalSeconds: Int64 = 300,
        workloadRefresh: WorkloadRefreshSchedule = .everyPoll
    ) {
        self.cgroupRoot = cgroupRoot
        self.procRoot = procRoot
        self.hierarchyPrefix = hierarchyPrefix
        self.layout = layout
        self.warningIntervalSeconds = warningIntervalSeconds
        self.workloadRefresh = workloadRefresh
    }
}

/// The outcome of sampling one cgroup.
public enum CgroupSampleOutcome: Sendable, Hashable {
    /// Sampled (possibly degraded: see the sample's `unreadableFields`).
    case sampled(MemorySample)
    /// The cgroup disappeared before or while its files were read (normal churn).
    case vanished
}

/// Polls the tracked cgroups' memory files. Thread-safe (one poll at a time; a poll holds
/// the internal lock). Uses openat + read(2) into one reused buffer and byte parsers: no
/// Foundation, no per-file String reads.
public final class CgroupSampler: Sendable {
    /// The layout in use.
    public let layout: CgroupLayout
    /// The configuration in use.
    public let configuration: CgroupSamplerConfiguration
    /// The walker listing the tracked cgroups.
    public let walker: CgroupTreeWalker
    private let unifiedBase: String?
    private let isRealRoot: Bool
    private let state: Mutex<PollState>

    private struct PollState: ~Copyable {
        let reader = CgroupFileReader()
        var limiter: WarningRateLimiter
        var unreadable = 0
        var malformed = 0
        var warnings: [CgroupReadWarning] = []
        /// Polls made so far (drives the workload refresh schedule).
        var pollNumber: UInt64 = 0
        /// The last read of each pod and its containers, for the polls that do not re-read it.
        var pods: [String: PodReading] = [:]
    }

    /// One pod's sample and its containers' samples, as last read. A class: the table of pods keeps a
    /// reference per slot, not the ~250-byte reading, in the quarter to half of its slots a dictionary keeps
    /// empty (~0.2 MiB at 1,000 pods).
    private final class PodReading {
        let pod: MemorySample
        let containers: [SampledCgroup]
        /// Times the pod has been read; the slowly changing files are read every `slowFilesEvery`-th time.
        let reads: Int
        /// The pod directory's link count when its containers were last listed (nil: unknown).
        let directoryLinks: Int?

        init(pod: MemorySample, containers: [SampledCgroup], reads: Int, directoryLinks: Int?) {
            self.pod = pod
            self.containers = containers
            self.reads = reads
            self.directoryLinks = directoryLinks
        }
    }

    /// A pod's and its containers' limit files (v1 limit_in_bytes; v2 memory.max and memory.high) change only
    /// when the pod is resized, and their kernel event counters (v1 failcnt and oom_control; v2 memory.events)
    /// only feed counters that Prometheus rates over minutes (each kill itself comes from the kernel log at
    /// once): these files are read at the pod's first read and every this many reads after (once a minute at
    /// the defaults), and carried over from the last read in between. Slices and units read every file every
    /// poll.
    public static let slowFilesEvery = 4

    /// Creates a sampler; detects the layout unless the configuration gives one.
    public init(configuration: CgroupSamplerConfiguration = CgroupSamplerConfiguration()) throws(CgroupLayoutError) {
        self.configuration = configuration
        let layout: CgroupLayout
        if let given = configuration.layout {
            layout = given
        } else {
            layout = try CgroupLayoutDetector.detect(root: configuration.cgroupRoot)
        }
        self.layout = layout
        let prefix = CgroupPath.normalizedPrefix(configuration.hierarchyPrefix)
        walker = CgroupTreeWalker(layout: layout, hierarchyPrefix: prefix)
        unifiedBase = layout.unifiedRoot.map { $0 + prefix }
        isRealRoot = prefix.isEmpty
        state = Mutex(PollState(limiter: WarningRateLimiter(intervalSeconds: configuration.warningIntervalSeconds)))
    }

    /// The kubelet cgroup driver visible in the tree now (nil if there is no kubepods cgroup).
    public func detectDriver() -> CgroupDriver? {
        CgroupLayoutDetector.detectDriver(layout: layout, hierarchyPrefix: configuration.hierarchyPrefix)
    }

    /// Walks the tree and samples every tracked cgroup, plus node meminfo. Pods (with their containers)
    /// not due under `workloadRefresh` are reported with their last samples, marked not fresh; a pod
    /// whose directory is gone is dropped.
    /// `now` (seconds, any clock) drives the warning rate limiter; default: CLOCK_MONOTONIC.
    public func poll(now: Int64? = nil) -> PollReport {
        let started = Self.monotonicNanos()
        let nowSeconds = now ?? Int64(started / 1_000_000_000)
        let cgroups = walker.walk(includingContainers: false)
        let schedule = configuration.workloadRefresh
        return state.withLock { state in
            state.unreadable = 0
            state.malformed = 0
            state.warnings = []
            state.pollNumber &+= 1
            let pollNumber = state.pollNumber
            let meminfo = readMeminfo(&state, now: nowSeconds)
            // Without swap on the node, memory.memsw.* equals memory.*: two files per cgroup not worth reading.
            let readSwapFiles = meminfo.map { $0.swapTotalBytes != 0 } ?? true
            var samples: [SampledCgroup] = []
            samples.reserveCapacity(max(cgroups.count, state.pods.count * 3))
            var pods: [String: PodReading] = [:]
            pods.reserveCapacity(state.pods.count)
            var vanished = 0
            for cgroup in cgroups {
                if cgroup.role == .pod {
                    let last = state.pods[cgroup.path]
                    if let last, !schedule.isDue(podPath: cgroup.path, poll: pollNumber) {
                        samples.append(SampledCgroup(cgroup: cgroup, sample: last.pod, fresh: false))
                        for var container in last.containers {
                            container.fresh = false
                            samples.append(container)
                        }
                        pods[cgroup.path] = last
                        continue
                    }
                    let reads = (last?.reads ?? 0) + 1
                    let carrySlowFiles = last != nil && reads % Self.slowFilesEvery != 0
                    guard case .sampled(let podSample) = sample(
                        cgroup, meminfo: meminfo, readSwapFiles: readSwapFiles, carrySlowFilesFrom: carrySlowFiles ? last?.pod : nil,
                        state: &state, now: nowSeconds)
                    else {
                        vanished += 1
                        continue
                    }
                    // A directory's link count is 2 + its subdirectories (cgroupfs and tmpfs): while it still
                    // matches the containers found last time, one stat(2) stands in for listing the pod
                    // directory (open, fstat, two getdents, close). A container replaced by another between two
                    // reads (a restart) keeps the count: it shows as vanished, and the pod is listed then.
                    let links = FileProbe.linkCount(CgroupPath.join(walker.baseDirectory, cgroup.path))
                    var reusedList = false
                    var listed: [TrackedCgroup]
                    if let last, let links, links == last.directoryLinks, links == last.containers.count + 2 {
                        listed = last.containers.map(\.cgroup)
                        reusedList = true
                    } else {
                        listed = walker.containers(ofPod: cgroup.path)
                    }
                    // Kept until the pod's next read: sized for the containers listed (appending would leave
                    // room for twice as many, ~0.4 MiB at 1,000 pods).
                    var containers: [SampledCgroup] = []
                    containers.reserveCapacity(listed.count)
                    var index = 0
                    while index < listed.count {
                        let container = listed[index]
                        index += 1
                        let previous = carrySlowFiles ? last?.containers.first(where: { $0.cgroup.path == container.path })?.sample : nil
                        switch sample(container, meminfo: meminfo, readSwapFiles: readSwapFiles, carrySlowFilesFrom: previous, state: &state, now: nowSeconds) {
                        case .sampled(let s): containers.append(SampledCgroup(cgroup: container, sample: s))
                        case .vanished:
                            vanished += 1
                            if reusedList {
                                // The set changed after all: list the directory and read what is new in it.
                                reusedList = false
                                let known = Set(listed.map(\.path))
                                listed += walker.containers(ofPod: cgroup.path).filter { !known.contains($0.path) }
                            }
                        }
                    }
                    samples.append(SampledCgroup(cgroup: cgroup, sample: podSample))
                    samples += containers
                    pods[cgroup.path] = PodReading(pod: podSample, containers: containers, reads: reads, directoryLinks: links)
                    continue
                }
                switch sample(cgroup, meminfo: meminfo, readSwapFiles: readSwapFiles, state: &state, now: nowSeconds) {
                case .sampled(let s): samples.append(SampledCgroup(cgroup: cgroup, sample: s))
                case .vanished: vanished += 1
                }
            }
            state.pods = pods
            return PollReport(
                samples: samples, node: meminfo, vanishedCgroups: vanished, unreadableFiles: state.unreadable,
                malformedFiles: state.malformed, warnings: state.warnings,
                durationNanos: Self.monotonicNanos() &- started)
        }
    }

    /// Samples one cgroup (path relative to the hierarchy prefix).
    public func sample(_ cgroup: TrackedCgroup, now: Int64? = nil) -> CgroupSampleOutcome {
        let nowSeconds = now ?? Int64(Self.monotonicNanos() / 1_000_000_000)
        return state.withLock { state in
            let meminfo = cgroup.path == "/" ? readMeminfo(&state, now: nowSeconds) : nil
            return sample(cgroup, meminfo: meminfo, readSwapFiles: true, state: &state, now: nowSeconds)
        }
    }

    // MARK: - per cgroup

    private func sample(
        _ cgroup: TrackedCgroup, meminfo: NodeMemoryInfo?, readSwapFiles: Bool, carrySlowFilesFrom carried: MemorySample? = nil,
        state: inout PollState, now: Int64
    ) -> CgroupSampleOutcome {
        let directory = CgroupPath.join(walker.baseDirectory, cgroup.path)
        if layout.kind == .v2 && isRealRoot && cgroup.path == "/" {
            // The v2 root has no memory.current: derive the node sample from /proc/meminfo as kubelet does.
            let pressure = readAbsolute(directory + "/memory.pressure", &state, now, CgroupFileParser.parsePressure)
            guard let meminfo else {
                var s = MemorySampleAssembler.assembleNode(meminfo: NodeMemoryInfo(memTotalBytes: 0), pressure: pressure)
                s.unreadableFields.insert([.meminfo, .usage])
                return .sampled(s)
            }
            return .sampled(MemorySampleAssembler.assembleNode(meminfo: meminfo, pressure: pressure))
        }
        let (dirFD, outcome) = state.reader.openDirectory(directory)
        guard let fd = dirFD else {
            if case .failed(let error) = outcome {
                note(.ioError(errno: error), path: directory, &state, now)
                state.unreadable += 1
                return .sampled(MemorySample(
                    usageBytes: 0, workingSetBytes: 0,
                    unreadableFields: layout.usesV1MemoryFiles ? Self.allV1Fields : Self.allV2Fields))
            }
            return .vanished
        }
        defer { close(fd) }
        if layout.usesV1MemoryFiles {
            let usage = read(fd, "memory.usage_in_bytes", directory, &state, now, CgroupFileParser.parseUInt64)
            if case .missing = usage { return .vanished }
            let limit = carried.map { Self.carried(.limit, $0.limitBytes, from: $0) }
                ?? read(fd, "memory.limit_in_bytes", directory, &state, now, CgroupFileParser.parseLimit)
            let stat = read(fd, "memory.stat", directory, &state, now, CgroupFileParser.parseV1Stat)
            if case .missing = stat { return .vanished }
            let failcnt = carried.map { Self.carried(.failcnt, $0.failcnt ?? 0, from: $0) }
                ?? read(fd, "memory.failcnt", directory, &state, now, CgroupFileParser.parseUInt64)
            let oom = carried.map {
                Self.carried(.oomControl, V1OOMControl(oomKillDisable: false, underOOM: $0.underOOM ?? false, oomKill: $0.oomKillEvents), from: $0)
            }
                ?? read(fd, "memory.oom_control", directory, &state, now, CgroupFileParser.parseV1OOMControl)
            var memswUsage: FileReading<UInt64> = .missing
            var memswLimit: FileReading<UInt64?> = .missing
            if readSwapFiles {
                memswUsage = read(fd, "memory.memsw.usage_in_bytes", directory, &state, now, CgroupFileParser.parseUInt64)
                memswLimit = read(fd, "memory.memsw.limit_in_bytes", directory, &state, now, CgroupFileParser.parseLimit)
            }
            var pressure: FileReading<PressureStall> = .missing
            if let unified = unifiedBase {
                pressure = readAbsolute(CgroupPath.join(unified, cgroup.path) + "/memory.pressure", &state, now, CgroupFileParser.parsePressure)
            }
            return .sampled(MemorySampleAssembler.assemble(V1MemoryReadings(
                usage: usage, limit: limit, stat: stat, failcnt: failcnt, oomControl: oom,
                memswUsage: memswUsage, memswLimit: memswLimit, pressure: pressure)))
        } else {
            let current = read(fd, "memory.current", directory, &state, now, CgroupFileParser.parseUInt64)
            if case .missing = current { return .vanished }
            let max = carried.map { Self.carried(.limit, $0.limitBytes, from: $0) }
                ?? read(fd, "memory.max", directory, &state, now, CgroupFileParser.parseLimit)
            let high = carried.map { Self.carried(.high, $0.highBytes, from: $0) }
                ?? read(fd, "memory.high", directory, &state, now, CgroupFileParser.parseLimit)
            let swap = read(fd, "memory.swap.current", directory, &state, now, CgroupFileParser.parseUInt64)
            let stat = read(fd, "memory.stat", directory, &state, now, CgroupFileParser.parseV2Stat)
            if case .missing = stat { return .vanished }
            let events = carried.map {
                Self.carried(.events, V2MemoryEvents(
                    low: $0.lowEvents, high: $0.highEvents, max: $0.maxEvents,
                    oom: $0.oomEvents, oomKill: $0.oomKillEvents, oomGroupKill: $0.oomGroupKillEvents), from: $0)
            }
                ?? read(fd, "memory.events", directory, &state, now, CgroupFileParser.parseV2Events)
            let pressure = read(fd, "memory.pressure", directory, &state, now, CgroupFileParser.parsePressure)
            return .sampled(MemorySampleAssembler.assemble(V2MemoryReadings(
                current: current, max: max, high: high, swapCurrent: swap, stat: stat, events: events, pressure: pressure)))
        }
    }

    /// A file's reading as the last read of the cgroup found it: unreadable, missing, or `value`.
    private static func carried<T: Sendable>(_ field: MemorySampleFields, _ value: T, from sample: MemorySample) -> FileReading<T> {
        if sample.unreadableFields.contains(field) { return .unreadable }
        if sample.missingFields.contains(field) { return .missing }
        return .value(value)
    }

    private static let allV1Fields: MemorySampleFields = [.usage, .limit, .stat, .swap, .failcnt, .oomControl, .memswUsage, .memswLimit]
    private static let allV2Fields: MemorySampleFields = [.usage, .limit, .high, .swap, .stat, .events, .pressure]

    // MARK: - reading helpers

    private func readMeminfo(_ state: inout PollState, now: Int64) -> NodeMemoryInfo? {
        readAbsolute(CgroupPath.trimTrailingSlash(configuration.procRoot) + "/meminfo", &state, now, CgroupFileParser.parseMeminfo).value
    }

    private func readAbsolute<T: Sendable>(
        _ path: String, _ state: inout PollState, _ now: Int64,
        _ parse: (UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> T
    ) -> FileReading<T> {
        interpret(state.reader.read(directoryFD: AT_FDCWD, name: path), path: path, &state, now, parse)
    }

    private func read<T: Sendable>(
        _ directoryFD: Int32, _ name: String, _ directory: String, _ state: inout PollState, _ now: Int64,
        _ parse: (UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> T
    ) -> FileReading<T> {
        let outcome = state.reader.read(directoryFD: directoryFD, name: name)
        return interpret(outcome, path: name, &state, now, parse, directory: directory)
    }

    private func interpret<T: Sendable>(
        _ outcome: RawReadOutcome, path: String, _ state: inout PollState, _ now: Int64,
        _ parse: (UnsafeBufferPointer<UInt8>) throws(CgroupParseError) -> T, directory: String? = nil
    ) -> FileReading<T> {
        switch outcome {
        case .missing:
            return .missing
        case .failed(let error):
            state.unreadable += 1
            note(.ioError(errno: error), path: directory.map { $0 + "/" + path } ?? path, &state, now)
            return .unreadable
        case .read(let count):
            do throws(CgroupParseError) {
                return .value(try parse(state.reader.bytes(count: count)))
            } catch {
                state.malformed += 1
                note(.malformed(error), path: directory.map { $0 + "/" + path } ?? path, &state, now)
                return .unreadable
            }
        }
    }

    /// Rate-limits by file name and problem kind, so one broken file type across thousands of
    /// pods yields one warning per interval with a suppressed count.
    private func note(_ problem: CgroupReadProblem, path: String, _ state: inout PollState, _ now: Int64) {
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let key: String
        switch problem {
        case .ioError(let error): key = fileName + ":errno" + String(error)
        case .malformed: key = fileName + ":malformed"
        }
        if let suppressed = state.limiter.admit(key: key, now: now) {
            state.warnings.append(CgroupReadWarning(filePath: path, problem: problem, suppressedBefore: suppressed))
        }
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
