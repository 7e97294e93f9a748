#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `oomwatch status` gathered from a running daemon; `--output json` prints it as is.
public struct StatusReport: Sendable, Hashable, Codable {
    /// One tracked slice now and over the window.
    public struct SliceStatus: Sendable, Hashable, Codable {
        /// `kubepods`, `system.slice`, `kube.slice`.
        public var name: String
        /// The cgroup path with history; nil when the node has no such cgroup.
        public var path: String?
        public var usageBytes: UInt64?
        public var workingSetBytes: UInt64?
        /// nil when unlimited (or not present).
        public var limitBytes: UInt64?
        /// Highest usage in the window.
        public var peakUsageBytes: UInt64?
        /// The window the peak covers, seconds.
        public var windowSeconds: Int64
        /// Unix seconds of the latest sample.
        public var sampledAtSeconds: Int64?

        public init(name: String, path: String?, usageBytes: UInt64? = nil, workingSetBytes: UInt64? = nil, limitBytes: UInt64? = nil,
                    peakUsageBytes: UInt64? = nil, windowSeconds: Int64, sampledAtSeconds: Int64? = nil) {
            self.name = name
            self.path = path
            self.usageBytes = usageBytes
            self.workingSetBytes = workingSetBytes
            self.limitBytes = limitBytes
            self.peakUsageBytes = peakUsageBytes
            self.windowSeconds = windowSeconds
            self.sampledAtSeconds = sampledAtSeconds
        }

        /// The slice's status from its history (`nil` history: not on this node).
        public init(name: String, history: HistoryQueryResult?, windowSeconds: Int64) {
            guard let history, let latest = history.points.last else {
                self.init(name: name, path: history?.cgroup, windowSeconds: windowSeconds)
                return
            }
            self.init(
                name: name, path: history.cgroup, usageBytes: latest.usageBytes, workingSetBytes: latest.workingSetBytes,
                limitBytes: latest.limitBytes, peakUsageBytes: history.points.map { $0.usageMaxBytes ?? $0.usageBytes }.max(),
                windowSeconds: windowSeconds, sampledAtSeconds: latest.timestamp)
        }

        /// Working set / limit, when limited.
        public var limitShare: Double? {
            guard let limit = limitBytes, limit > 0, let workingSet = workingSetBytes else { return nil }
            return Double(workingSet) / Double(limit)
        }
    }

    /// The daemon queried.
    public var server: String
    /// When the report was made, µs since the epoch.
    public var generatedAtMicros: Int64
    /// `/readyz`: ready, and one line per part.
    public var ready: Bool
    public var readiness: [String]
    /// Node capacity (from `/diagnose`, else the `oomwatch_node_memory_capacity_bytes` metric).
    public var capacityBytes: Int64?
    /// Node Allocatable (from `/diagnose`).
    public var allocatable: Allocatable?
    /// The tracked slices.
    public var slices: [SliceStatus]
    /// Active alerts; nil when the daemon does not serve `/alerts`.
    public var alerts: [Alert]?
    /// Findings; nil when the daemon does not serve `/diagnose` or has not diagnosed yet.
    public var findings: [Finding]?
    /// The most recent kills, newest first.
    public var recentKills: [KillRow]
    /// Kills in the daemon's event log (up to the query limit).
    public var totalKills: Int

    public init(server: String, generatedAtMicros: Int64, ready: Bool, readiness: [String], capacityBytes: Int64?, allocatable: Allocatable?,
                slices: [SliceStatus], alerts: [Alert]?, findings: [Finding]?, recentKills: [KillRow], totalKills: Int) {
        self.server = server
        self.generatedAtMicros = generatedAtMicros
        self.ready = ready
        self.readiness = readiness
        self.capacityBytes = capacityBytes
        self.allocatable = allocatable
        self.slices = slices
        self.alerts = alerts
        self.findings = findings
        self.recentKills = recentKills
        self.totalKills = totalKills
    }
}
