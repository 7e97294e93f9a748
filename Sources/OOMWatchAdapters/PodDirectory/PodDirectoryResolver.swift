import Glibc
import OOMWatchCore
import Synchronization

/// A pod resolved from its log directory.
public struct ResolvedPod: Sendable, Hashable {
    /// Namespace, name and UID.
    public var identity: PodIdentity
    /// True when the pod's directory has disappeared (the pod was deleted) and it is only remembered.
    public var gone: Bool

    public init(identity: PodIdentity, gone: Bool) {
        self.identity = identity
        self.gone = gone
    }
}

/// A container resolved from its `/var/log/containers` link.
public struct ResolvedContainer: Sendable, Hashable {
    /// Container name, pod name and namespace, full container ID.
    public var name: ContainerLogName
    /// The pod's UID, from the link target (or a unique pod of that name), when known.
    public var podUID: String?
    /// True when the container's log link has disappeared and it is only remembered.
    public var gone: Bool

    public init(name: ContainerLogName, podUID: String?, gone: Bool) {
        self.name = name
        self.podUID = podUID
        self.gone = gone
    }
}

/// Resolves pod UIDs to namespace/name from `/var/log/pods/<namespace>_<pod>_<uid>/` and container
/// IDs (full or 12-digit short) to container names from
/// `/var/log/containers/<pod>_<namespace>_<container>-<id>.log`, without API credentials.
///
/// Results are cached. A miss triggers a rescan of both directories, at most once per
/// `minimumRescanInterval`, so a flood of unknown IDs cannot cause a scan each. Pods and containers
/// whose entries disappear are remembered as gone for `goneRetention` (a kill is still named after
/// its pod is deleted), at most `maxGoneEntries` of each, least recently used dropped first.
public final class PodDirectoryResolver: Sendable {
    /// Where to look and how long to remember.
    public struct Configuration: Sendable {
        /// kubelet's pod log directory (`--pod-log-dir`).
        public var podLogDirectory: String
        /// kubelet's container log link directory (`--container-log-dir`).
        public var containerLogDirectory: String
        /// How long a gone pod or container is remembered (24 h).
        public var goneRetention: Duration
        /// The most gone pods, and the most gone containers, remembered (10,000 each).
        public var maxGoneEntries: Int
        /// The least time between two rescans caused by misses (5 s).
        public var minimumRescanInterval: Duration

        public init(
            podLogDirectory: String = "/var/log/pods",
            containerLogDirectory: String = "/var/log/containers",
            goneRetention: Duration = .seconds(24 * 3600),
            maxGoneEntries: Int = 10_000,
            minimumRescanInterval: Duration = .seconds(5)
        ) {
            self.podLogDirectory = podLogDirectory
            self.containerLogDirectory = containerLogDirectory
            self.goneRetention = goneRetention
            self.maxGoneEntries = max(0, maxGoneEntries)
            self.minimumRescanInterval = minimumRescanInterval
        }
    }

    /// Counters for metrics and tests.
    public struct Statistics: Sendable, Hashable {
        /// Directory scans done.
        public var scans = 0
        /// Scans that could not list a directory (other than it not existing); state was kept.
        public var scanErrors = 0
        /// Misses not followed by a scan because one ran less than `minimumRescanInterval` ago.
        public var rateLimitedMisses = 0
        /// Live pods and containers known.
        public var livePods = 0
        public var liveContainers = 0
        /// Gone pods and containers remembered.
        public var gonePods = 0
        public var goneContainers = 0
        /// Gone entries dropped because of the size cap.
        public var evictedByCap = 0
        /// Gone entries dropped because they outlived the retention.
        public var expired = 0
    }

    private struct PodEntry {
        var identity: PodIdentity
        var goneSince: ContinuousClock.Instant?
        var lastUsed: UInt64
    }

    private struct ContainerEntry {
        var name: ContainerLogName
        var podUID: String?
        var goneSince: ContinuousClock.Instant?
        var lastUsed: UInt64
    }

    private struct State {
        var pods: [String: PodEntry] = [:]
        var containers: [String: ContainerEntry] = [:]
        var shortIDs: [String: String] = [:]
        var lastScan: ContinuousClock.Instant?
        var scanInProgress = false
        var tick: UInt64 = 0
        var statistics = Statistics()
    }

    private struct ScanResult {
        var pods: [PodIdentity]?
        var containers: [(name: ContainerLogName, podUID: String?)]?
    }

    /// The configuration in force.
    public let configuration: Configuration
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    /// - Parameter clock: the current time; injectable for tests.
    public init(configuration: Configuration = Configuration(), clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.configuration = configuration
        self.clock = clock
    }

    /// The pod with `uid` (dashes or the systemd driver's underscores); nil when unknown even after
    /// a rescan, or when the rescan is rate-limited. `urgent` lookups (a kill, which is named once and
    /// for good) rescan on a miss regardless of the rate limit or a scan already running elsewhere.
    public func pod(uid: String, urgent: Bool = false) -> ResolvedPod? {
        guard let normalized = PodIdentity.normalizedUID(uid) else { return nil }
        if let found = lookupPod(normalized) { return found }
        guard beginScan(urgent: urgent) else { return nil }
        performScan()
        return lookupPod(normalized)
    }

    /// The container with `id` (64 hex digits, 12-digit short form, or with a `containerd://` prefix);
    /// nil when unknown even after a rescan, or when the rescan is rate-limited (see `urgent` above).
    public func container(id: String, urgent: Bool = false) -> ResolvedContainer? {
        guard let normalized = ContainerID.normalized(id) else { return nil }
        if let found = lookupContainer(normalized) { return found }
        guard beginScan(urgent: urgent) else { return nil }
        performScan()
        return lookupContainer(normalized)
    }

    /// Rescans both directories now, regardless of the rate limit (e.g. on a timer).
    public func refresh() {
        let allowed = state.withLock { state -> Bool in
            guard !state.scanInProgress else { return false }
            state.scanInProgress = true
            state.lastScan = clock()
            return true
        }
        if allowed { performScan() }
    }

    /// Current counters.
    public var statistics: Statistics {
        state.withLock { $0.statistics }
    }

    // MARK: - Lookups

    private func lookupPod(_ uid: String) -> ResolvedPod? {
        let now = clock()
        return state.withLock { state -> ResolvedPod? in
            guard var entry = state.pods[uid] else { return nil }
            if let goneSince = entry.goneSince, now - goneSince > configuration.goneRetention {
                state.pods[uid] = nil
                state.statistics.expired += 1
                Self.updateCounts(&state)
                return nil
            }
            state.tick += 1
            entry.lastUsed = state.tick
            state.pods[uid] = entry
            return ResolvedPod(identity: entry.identity, gone: entry.goneSince != nil)
        }
    }

    private func lookupContainer(_ id: String) -> ResolvedContainer? {
        let now = clock()
        return state.withLock { state -> ResolvedContainer? in
            let fullID = id.utf8.count == ContainerID.fullLength ? id : state.shortIDs[id]
            guard let fullID, var entry = state.containers[fullID] else { return nil }
            if let goneSince = entry.goneSince, now - goneSince > configuration.goneRetention {
                Self.removeContainer(fullID, from: &state)
                state.statistics.expired += 1
                Self.updateCounts(&state)
                return nil
            }
            state.tick += 1
            entry.lastUsed = state.tick
            state.containers[fullID] = entry
            return ResolvedContainer(name: entry.name, podUID: entry.podUID, gone: entry.goneSince != nil)
        }
    }

    // MARK: - Scanning

    /// Claims the next scan when the rate limit allows it; counts a rate-limited miss otherwise.
    private func beginScan(urgent: Bool) -> Bool {
        let now = clock()
        return state.withLock { state -> Bool in
            if urgent {
                state.scanInProgress = true
                state.lastScan = now
                return true
            }
            if state.scanInProgress {
                state.statistics.rateLimitedMisses += 1
                return false
            }
            if let last = state.lastScan, now - last < configuration.minimumRescanInterval {
                state.statistics.rateLimitedMisses += 1
                return false
            }
            state.scanInProgress = true
            state.lastScan = now
            return true
        }
    }

    /// Lists the directories without holding the lock, then merges the result.
    private func performScan() {
        let knownLinks = state.withLock { state in
            Set(state.containers.compactMap { $0.value.podUID != nil && $0.value.goneSince == nil ? $0.key : nil })
        }
        var result = ScanResult()
        if let podNames = Self.listDirectory(configuration.podLogDirectory) {
            result.pods = podNames.compactMap { PodIdentity.parse(logDirectoryName: $0) }
        }
        if let fileNames = Self.listDirectory(configuration.containerLogDirectory) {
            var containers: [(name: ContainerLogName, podUID: String?)] = []
            containers.reserveCapacity(fileNames.count)
            for fileName in fileNames {
                guard let name = ContainerLogName.parse(fileName: fileName) else { continue }
                var podUID: String?
                if !knownLinks.contains(name.containerID),
                   let target = try? SymbolicLink.target(of: configuration.containerLogDirectory + "/" + fileName) {
                    podUID = PodIdentity.parse(logPath: target)?.uid
                }
                containers.append((name, podUID))
            }
            result.containers = containers
        }
        let now = clock()
        state.withLock { state in
            merge(result, into: &state, now: now)
            state.scanInProgress = false
        }
    }

    private func merge(_ result: ScanResult, into state: inout State, now: ContinuousClock.Instant) {
        state.statistics.scans += 1
        if result.pods == nil || result.containers == nil { state.statistics.scanErrors += 1 }

        if let pods = result.pods {
            var seen = Set<String>()
            seen.reserveCapacity(pods.count)
            for identity in pods {
                seen.insert(identity.uid)
                if var entry = state.pods[identity.uid] {
                    entry.identity = identity
                    entry.goneSince = nil
                    state.pods[identity.uid] = entry
                } else {
                    state.pods[identity.uid] = PodEntry(identity: identity, goneSince: nil, lastUsed: state.tick)
                }
            }
            for (uid, entry) in state.pods where entry.goneSince == nil && !seen.contains(uid) {
                state.pods[uid]?.goneSince = now
            }
        }

        if let containers = result.containers {
            // Pods by namespace/name, for links whose target could not be read.
            var podsByName: [String: String?] = [:]
            for entry in state.pods.values where entry.goneSince == nil {
                let key = entry.identity.namespace + "/" + entry.identity.name
                podsByName[key] = podsByName[key] == nil ? entry.identity.uid : .some(nil)
            }
            var seen = Set<String>()
            seen.reserveCapacity(containers.count)
            for (name, linkedUID) in containers {
                let id = name.containerID
                seen.insert(id)
                let existing = state.containers[id]
                let podUID = linkedUID ?? existing?.podUID ?? (podsByName[name.namespace + "/" + name.podName] ?? nil)
                state.containers[id] = ContainerEntry(name: name, podUID: podUID, goneSince: nil, lastUsed: existing?.lastUsed ?? state.tick)
                if existing == nil { state.shortIDs[String(id.prefix(ContainerID.shortLength))] = id }
            }
            for (id, entry) in state.containers where entry.goneSince == nil && !seen.contains(id) {
                state.containers[id]?.goneSince = now
            }
        }

        // Expire gone entries past the retention, then enforce the cap (least recently used first).
        let retention = configuration.goneRetention
        for (uid, entry) in state.pods {
            if let goneSince = entry.goneSince, now - goneSince > retention {
                state.pods[uid] = nil
                state.statistics.expired += 1
            }
        }
        for (id, entry) in state.containers {
            if let goneSince = entry.goneSince, now - goneSince > retention {
                Self.removeContainer(id, from: &state)
                state.statistics.expired += 1
            }
        }
        let gonePods = state.pods.filter { $0.value.goneSince != nil }
        if gonePods.count > configuration.maxGoneEntries {
            let excess = gonePods.count - configuration.maxGoneEntries
            for (uid, _) in gonePods.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }).prefix(excess) {
                state.pods[uid] = nil
                state.statistics.evictedByCap += 1
            }
        }
        let goneContainers = state.containers.filter { $0.value.goneSince != nil }
        if goneContainers.count > configuration.maxGoneEntries {
            let excess = goneContainers.count - configuration.maxGoneEntries
            for (id, _) in goneContainers.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }).prefix(excess) {
                Self.removeContainer(id, from: &state)
                state.statistics.evictedByCap += 1
            }
        }
        Self.updateCounts(&state)
    }

    private static func removeContainer(_ id: String, from state: inout State) {
        state.containers[id] = nil
        let short = String(id.prefix(ContainerID.shortLength))
        if state.shortIDs[short] == id { state.shortIDs[short] = nil }
    }

    private static func updateCounts(_ state: inout State) {
        var livePods = 0, gonePods = 0, liveContainers = 0, goneContainers = 0
        for entry in state.pods.values { if entry.goneSince == nil { livePods += 1 } else { gonePods += 1 } }
        for entry in state.containers.values { if entry.goneSince == nil { liveContainers += 1 } else { goneContainers += 1 } }
        state.statistics.livePods = livePods
        state.statistics.gonePods = gonePods
        state.statistics.liveContainers = liveContainers
        state.statistics.goneContainers = goneContainers
    }

    // MARK: - File system

    /// The names in `path` (without `.` and `..`); an empty list when it does not exist; nil on other errors.
    private static func listDirectory(_ path: String) -> [String]? {
        guard let directory = opendir(path) else {
            return errno == ENOENT || errno == ENOTDIR ? [] : nil
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names
    }
}
