import OOMWatchCore
import Prometheus
import Synchronization

/// `oomwatch_oom_kills_total` and friends. Only kills processed live (or found after the saved cursor
/// at start-up) are counted; replayed ones are not. Cardinality is bounded: past `maxSeries` label sets,
/// the least recently killed owner's series are removed.
final class KillMetrics: Sendable {
    private struct Series {
        var counter: Counter
        var lastKill: Gauge
        var lastUsed: UInt64
    }

    private struct State {
        var byOwner: [[String]: Series] = [:]
        var byLimit: [[String]: Counter] = [:]
        var clock: UInt64 = 0
    }

    private let registry: PrometheusCollectorRegistry
    private let maxSeries: Int
    private let state = Mutex(State())

    static var killsDescriptor: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "oomwatch", metricName: "oom_kills", unitName: "total",
        helpText: "OOM kills by the kernel, by the victim's owner and the OOM constraint. Kills replayed from the journal after a restart are not counted again.") }
    static var byLimitDescriptor: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "oomwatch", metricName: "oom_kills_by_limit", unitName: "total",
        helpText: "OOM kills by the cgroup whose memory limit was hit (oom_memcg).") }
    static var lastKillDescriptor: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "oomwatch", metricName: "last_oom_kill_timestamp", unitName: "seconds",
        helpText: "Time of the last OOM kill of this owner, seconds since the epoch.") }

    init(registry: PrometheusCollectorRegistry, maxSeries: Int = 2_000) {
        self.registry = registry
        self.maxSeries = maxSeries
    }

    /// Counts one kill.
    func record(_ kill: OOMKill) {
        let owner = OwnerLabels(kill.owner)
        let constraint = kill.constraint.metricLabel
        let key = owner.values + [constraint]
        let limitPath = kill.limitCgroup ?? ""
        let limitKind = kill.limitOwner?.kind ?? ""
        let seconds = Double(kill.realtimeMicros ?? 0) / 1_000_000
        state.withLock { state in
            state.clock += 1
            if state.byOwner[key] == nil {
                if state.byOwner.count >= maxSeries { evictOldest(&state) }
                let counter = registry.makeCounter(descriptor: Self.killsDescriptor, labels: owner.pairs + [("constraint", constraint)])
                let gauge = registry.makeGauge(descriptor: Self.lastKillDescriptor, labels: owner.pairs + [("constraint", constraint)])
                state.byOwner[key] = Series(counter: counter, lastKill: gauge, lastUsed: state.clock)
            }
            state.byOwner[key]!.counter.increment()
            state.byOwner[key]!.lastKill.set(to: seconds)
            state.byOwner[key]!.lastUsed = state.clock
            let limitKey = [limitPath, limitKind, constraint]
            if state.byLimit[limitKey] == nil, state.byLimit.count < maxSeries {
                state.byLimit[limitKey] = registry.makeCounter(
                    descriptor: Self.byLimitDescriptor,
                    labels: [("limit_cgroup", limitPath), ("limit_owner_kind", limitKind), ("constraint", constraint)])
            }
            state.byLimit[limitKey]?.increment()
        }
    }

    private func evictOldest(_ state: inout State) {
        guard let oldest = state.byOwner.min(by: { $0.value.lastUsed < $1.value.lastUsed }) else { return }
        registry.unregisterCounter(oldest.value.counter)
        registry.unregisterGauge(oldest.value.lastKill)
        state.byOwner[oldest.key] = nil
    }
}

extension OOMConstraint {
    /// The `constraint` label: global, memcg, cpuset, mempolicy or unknown.
    var metricLabel: String {
        switch self {
        case .global: "global"
        case .memcg: "memcg"
        case .cpuset: "cpuset"
        case .memoryPolicy: "mempolicy"
        case .unknown: "unknown"
        }
    }
}
