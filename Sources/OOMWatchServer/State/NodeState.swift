import OOMWatchCore
import Synchronization

/// The node's state with one owner: the event log, the cgroup history and the node's latest memory
/// figures. Writers are the kernel-event and polling services; HTTP handlers read copies taken under the lock.
public final class NodeState: Sendable {
    private struct State {
        var events: EventLog
        var history: HistoryStore
        var latestNodeMemory: LatestNodeMemory?
        var activeAlerts: [Alert] = []
        var diagnosis: DiagnosisReport?
    }

    private let state: Mutex<State>

    public init(eventCapacity: Int = 5_000, history: HistoryStoreConfiguration = HistoryStoreConfiguration(), nowSeconds: Int64) {
        state = Mutex(State(events: EventLog(capacity: eventCapacity), history: HistoryStore(configuration: history, now: nowSeconds)))
    }

    /// Records an event; false when an event with the same id was already recorded.
    @discardableResult
    public func record(_ event: NodeEvent) -> Bool {
        state.withLock { $0.events.append(event) }
    }

    /// Events matching `query`, newest first.
    public func events(_ query: EventQuery) -> [NodeEvent] {
        state.withLock { $0.events.select(query) }
    }

    /// The wall clock was stepped by `seconds`: the history's times move with it.
    public func clockStepped(bySeconds seconds: Int64) {
        state.withLock { $0.history.shift(bySeconds: seconds) }
    }

    /// Records a poll into the history and keeps the node's figures from it. The poll itself is not kept:
    /// its samples (about 1 MiB at 1,000 pods) live on in the history and the metrics.
    public func ingest(_ report: PollReport, atSeconds now: Int64) {
        state.withLock { state in
            state.history.record(report, at: now)
            state.latestNodeMemory = LatestNodeMemory(meminfo: report.node, rootSample: report.sample(at: "/")?.sample)
        }
    }

    /// The node's memory figures from the latest poll, if any.
    public var latestNodeMemory: LatestNodeMemory? { state.withLock { $0.latestNodeMemory } }

    /// History of one cgroup over `windowSeconds` up to `now`; nil for an unknown cgroup.
    public func history(cgroup: String, windowSeconds: Int64, nowSeconds: Int64) -> HistoryQueryResult? {
        state.withLock { $0.history.query(cgroup: cgroup, window: windowSeconds, now: nowSeconds) }
    }

    /// The cgroups with history, sorted.
    public var historyPaths: [String] { state.withLock { $0.history.trackedPaths.sorted() } }

    /// Replaces the active (pending and firing) alerts.
    public func setActiveAlerts(_ alerts: [Alert]) {
        state.withLock { $0.activeAlerts = alerts }
    }

    /// The active alerts, most severe first.
    public var activeAlerts: [Alert] { state.withLock { $0.activeAlerts } }

    /// Replaces the latest node diagnosis (findings, capacity, allocatable).
    public func setDiagnosis(_ report: DiagnosisReport) {
        state.withLock { $0.diagnosis = report }
    }

    /// The latest node diagnosis, once one was made.
    public var diagnosis: DiagnosisReport? { state.withLock { $0.diagnosis } }

    /// Approximate bytes held by the history rings.
    public var historyMemoryBytes: Int { state.withLock { $0.history.approximateMemoryBytes } }
}
