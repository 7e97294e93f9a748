/// Everything the status page shows, gathered at one moment. A plain value: the server builds it from
/// the node state, tests build it by hand.
public struct StatusSnapshot: Sendable, Hashable {
    /// One tracked slice's chart.
    public struct Slice: Sendable, Hashable {
        /// The name people know (`kubepods`, `system.slice`, `kube.slice`).
        public var name: String
        /// The cgroup path sampled (`/kubepods.slice`); nil when the node has no such cgroup.
        public var path: String?
        /// Its history over the window; nil when not sampled.
        public var history: HistoryQueryResult?

        public init(name: String, path: String?, history: HistoryQueryResult?) {
            self.name = name
            self.path = path
            self.history = history
        }
    }

    /// The node's host name.
    public var hostname: String
    /// oomwatch's version.
    public var version: String
    /// When the snapshot was taken, µs since the epoch.
    public var generatedAtMicros: Int64
    /// The charts' window, seconds.
    public var windowSeconds: Int64
    /// Seconds between page refreshes (0: none).
    public var refreshSeconds: Int
    /// Node memory capacity (MemTotal), bytes; nil before the first poll.
    public var capacityBytes: Int64?
    /// The node as a whole: the latest sample of the root cgroup.
    public var nodeSample: MemorySample?
    /// Node Allocatable, when a kubelet configuration was found.
    public var allocatable: Allocatable?
    /// Whether a diagnosis was made (findings are meaningful).
    public var diagnosed: Bool
    /// Whether a kubelet configuration was found (meaningful when `diagnosed`).
    public var kubeletConfigurationFound: Bool
    /// Whether every source is ready, and what is not.
    public var ready: Bool
    public var readinessProblems: [String]
    /// The charted slices, in display order.
    public var slices: [Slice]
    /// Pending and firing alerts, most severe first.
    public var alerts: [Alert]
    /// Findings of the latest diagnosis, most severe first.
    public var findings: [Finding]
    /// Recent kills, newest first.
    public var recentKills: [KillRow]
    /// All kills in the event log (may exceed `recentKills.count`).
    public var totalKills: Int

    public init(
        hostname: String, version: String, generatedAtMicros: Int64, windowSeconds: Int64 = 3600, refreshSeconds: Int = 15,
        capacityBytes: Int64?, nodeSample: MemorySample? = nil, allocatable: Allocatable?, diagnosed: Bool, kubeletConfigurationFound: Bool,
        ready: Bool, readinessProblems: [String] = [], slices: [Slice], alerts: [Alert], findings: [Finding], recentKills: [KillRow],
        totalKills: Int? = nil
    ) {
        self.hostname = hostname
        self.version = version
        self.generatedAtMicros = generatedAtMicros
        self.windowSeconds = windowSeconds
        self.refreshSeconds = refreshSeconds
        self.capacityBytes = capacityBytes
        self.nodeSample = nodeSample
        self.allocatable = allocatable
        self.diagnosed = diagnosed
        self.kubeletConfigurationFound = kubeletConfigurationFound
        self.ready = ready
        self.readinessProblems = readinessProblems
        self.slices = slices
        self.alerts = alerts
        self.findings = findings
        self.recentKills = recentKills
        self.totalKills = totalKills ?? recentKills.count
    }

    /// The slices the page charts, in order, with the cgroup paths each may have (cgroupfs and systemd drivers).
    public static let chartedSlices: [(name: String, paths: [String])] = [
        ("kubepods", ["/kubepods.slice", "/kubepods"]),
        ("system.slice", ["/system.slice"]),
        ("kube.slice", ["/kube.slice"]),
    ]
}
