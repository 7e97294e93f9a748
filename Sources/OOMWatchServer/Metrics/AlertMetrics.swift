import OOMWatchCore
import Prometheus
import Synchronization

/// `oomwatch_alert_active` (1 per firing alert), `oomwatch_finding_active` (1 per finding) and the
/// node's allocatable memory. Series of resolved alerts and gone findings are removed.
final class AlertMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let alerts = Mutex<[[String]: Gauge]>([:])
    private let findings = Mutex<[[String]: Gauge]>([:])
    private let allocatable = Mutex<Gauge?>(nil)

    private static var alertDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "oomwatch", metricName: "alert", unitName: "active", helpText: "1 while the alert fires on this node.")
    }
    private static var findingDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "oomwatch", metricName: "finding", unitName: "active", helpText: "1 while the node diagnosis reports this finding.")
    }
    private static var allocatableDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "oomwatch", metricName: "node_memory_allocatable", unitName: "bytes",
                             helpText: "Allocatable memory: capacity minus kube-reserved, system-reserved and the hard eviction threshold.")
    }

    /// The owner labels of node-wide alerts (a reboot): all empty.
    private static let nodeOwner = OwnerLabels(ownerKind: "")

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func update(firing: [Alert], findings current: [Finding], allocatableBytes: Int64?) {
        sync(alerts, firing.map { [$0.name.rawValue, $0.subject, $0.severity.rawValue] + ($0.owner ?? Self.nodeOwner).values },
             names: ["alert", "subject", "severity"] + OwnerLabels.names, descriptor: Self.alertDescriptor)
        sync(findings, current.map { [$0.id, $0.subject, $0.severity.rawValue] }, names: ["finding", "subject", "severity"], descriptor: Self.findingDescriptor)
        allocatable.withLock { gauge in
            if let allocatableBytes {
                if gauge == nil { gauge = registry.makeGauge(descriptor: Self.allocatableDescriptor) }
                gauge?.set(to: Double(allocatableBytes))
            } else if let existing = gauge {
                registry.unregisterGauge(existing)
                gauge = nil
            }
        }
    }

    private func sync(_ store: borrowing Mutex<[[String]: Gauge]>, _ keys: [[String]], names: [String], descriptor: MetricNameDescriptor) {
        store.withLock { gauges in
            let wanted = Set(keys)
            for (key, gauge) in gauges where !wanted.contains(key) {
                registry.unregisterGauge(gauge)
                gauges[key] = nil
            }
            for key in wanted where gauges[key] == nil {
                let gauge = registry.makeGauge(descriptor: descriptor, labels: Array(zip(names, key)))
                gauge.set(to: 1)
                gauges[key] = gauge
            }
        }
    }
}
