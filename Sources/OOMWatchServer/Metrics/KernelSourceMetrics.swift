import Prometheus

/// Which kernel log source is in use and how much it delivered.
final class KernelSourceMetrics: Sendable {
    let journalUp: Gauge
    let kmsgUp: Gauge
    let journalLines: Counter
    let kmsgLines: Counter
    let kmsgLost: Counter

    init(registry: PrometheusCollectorRegistry) {
        let up = MetricNameDescriptor(namespace: "oomwatch", metricName: "kernel_source", unitName: "up",
                                      helpText: "1 when this kernel log source is being read.")
        let lines = MetricNameDescriptor(namespace: "oomwatch", metricName: "kernel_lines", unitName: "total",
                                         helpText: "Kernel log lines read, by source.")
        journalUp = registry.makeGauge(descriptor: up, labels: [("source", "journal")])
        kmsgUp = registry.makeGauge(descriptor: up, labels: [("source", "kmsg")])
        journalLines = registry.makeCounter(descriptor: lines, labels: [("source", "journal")])
        kmsgLines = registry.makeCounter(descriptor: lines, labels: [("source", "kmsg")])
        kmsgLost = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "oomwatch", metricName: "kmsg_lost_records", unitName: "total",
            helpText: "Kernel ring buffer records overwritten before /dev/kmsg was read (sequence gaps)."))
    }
}
