import OOMWatchCore
import Prometheus
import Synchronization

/// The per-cgroup gauges and counters from each poll, labelled with the cgroup path and its owner.
/// Series of cgroups not seen for `grace` are removed, so vanished pods do not pile up.
final class CgroupMetrics: Sendable {
    private struct Series {
        var usage: Gauge
        var workingSet: Gauge
        var limit: Gauge?
        var failcnt: CounterSync?
        var oomKills: CounterSync?
        var pressureSome: CounterSync?
        var pressureFull: CounterSync?
        var pressureAvg10: Gauge?
        var labels: [(String, String)]
        var lastSeen: Int64
    }

    private let registry: PrometheusCollectorRegistry
    private let graceSeconds: Int64
    private let maxCgroups: Int
    private let series = Mutex<[String: Series]>([:])
    private let capacity: Gauge
    private let pollDuration: DurationHistogram
    private let vanished: Counter
    private let unreadable: Counter
    private let malformed: Counter
    private let tracked: Gauge
    private let namer: PodNamer?

    private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "oomwatch", metricName: name, unitName: unit, helpText: help)
    }

    private static var usage: MetricNameDescriptor { descriptor("cgroup_memory_usage", "bytes", "Memory usage of the cgroup (v1 memory.usage_in_bytes, v2 memory.current).") }
    private static var workingSet: MetricNameDescriptor { descriptor("cgroup_memory_working_set", "bytes", "Working set: usage minus inactive file cache, as kubelet computes it.") }
    private static var limit: MetricNameDescriptor { descriptor("cgroup_memory_limit", "bytes", "Memory limit of the cgroup; absent when unlimited.") }
    private static var failcnt: MetricNameDescriptor { descriptor("cgroup_memory_failcnt", "total", "Times the cgroup hit its limit (v1 memory.failcnt).") }
    private static var oomKills: MetricNameDescriptor { descriptor("cgroup_memory_oom_kill", "total", "OOM kills counted by the kernel for the cgroup (v1 oom_control, v2 memory.events).") }
    private static var pressureSome: MetricNameDescriptor { descriptor("cgroup_memory_pressure_some", "seconds_total", "Time some tasks stalled on memory (PSI, v2 memory.pressure).") }
    private static var pressureFull: MetricNameDescriptor { descriptor("cgroup_memory_pressure_full", "seconds_total", "Time all tasks stalled on memory (PSI, v2 memory.pressure).") }
    private static var pressureAvg10: MetricNameDescriptor { descriptor("cgroup_memory_pressure_some_avg10", "ratio", "Share of the last 10 s some tasks stalled on memory (PSI avg10 / 100).") }

    init(registry: PrometheusCollectorRegistry, graceSeconds: Int64, namer: PodNamer? = nil, maxCgroups: Int = 20_000) {
        self.registry = registry
        self.namer = namer
        self.graceSeconds = graceSeconds
        self.maxCgroups = maxCgroups
        capacity = registry.makeGauge(descriptor: Self.descriptor("node_memory_capacity", "bytes", "Node memory capacity (MemTotal of /proc/meminfo)."))
        pollDuration = registry.makeDurationHistogram(
            descriptor: Self.descriptor("cgroup_poll_duration", "seconds", "Time one poll of every tracked cgroup took."),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                      .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)])
        let errors = Self.descriptor("cgroup_poll_errors", "total", "Cgroup files that could not be read in a poll, by reason (vanished cgroups are normal churn).")
        vanished = registry.makeCounter(descriptor: errors, labels: [("reason", "vanished")])
        unreadable = registry.makeCounter(descriptor: errors, labels: [("reason", "unreadable")])
        malformed = registry.makeCounter(descriptor: errors, labels: [("reason", "malformed")])
        tracked = registry.makeGauge(descriptor: Self.descriptor("cgroups_tracked", "", "Cgroups sampled in the last poll."))
    }

    /// Updates every series from a poll made at `now` (seconds) and drops the series of cgroups gone longer than the grace period.
    func update(_ report: PollReport, nowSeconds now: Int64) {
        if let node = report.node { capacity.set(to: Double(node.memTotalBytes)) }
        pollDuration.recordNanoseconds(Int64(clamping: report.durationNanos))
        if report.vanishedCgroups > 0 { vanished.increment(by: Int64(report.vanishedCgroups)) }
        if report.unreadableFiles > 0 { unreadable.increment(by: Int64(report.unreadableFiles)) }
        if report.malformedFiles > 0 { malformed.increment(by: Int64(report.malformedFiles)) }
        tracked.set(to: Double(report.samples.count))
        series.withLock { all in
            for sampled in report.samples {
                let path = sampled.cgroup.path
                if !sampled.fresh, all[path] != nil {
                    // Not re-read in this poll: the series already hold these values.
                    all[path]!.lastSeen = now
                    continue
                }
                if all[path] == nil {
                    guard all.count < maxCgroups else { continue }
                    let labels = [("cgroup", path)] + OwnerLabels(owner(of: path)).pairs
                    all[path] = Series(
                        usage: registry.makeGauge(descriptor: Self.usage, labels: labels),
                        workingSet: registry.makeGauge(descriptor: Self.workingSet, labels: labels),
                        labels: labels, lastSeen: now)
                }
                update(&all[path]!, with: sampled.sample, now: now)
            }
            for (path, entry) in all where now - entry.lastSeen > graceSeconds {
                remove(entry)
                all[path] = nil
            }
        }
    }

    private func owner(of path: String) -> CgroupOwner {
        let owner = CgroupPathClassifier.classify(path)
        return namer?.name(owner) ?? owner
    }

    private func update(_ entry: inout Series, with sample: MemorySample, now: Int64) {
        entry.lastSeen = now
        entry.usage.set(to: Double(sample.usageBytes))
        entry.workingSet.set(to: Double(sample.workingSetBytes))
        if let limit = sample.limitBytes {
            if entry.limit == nil { entry.limit = registry.makeGauge(descriptor: Self.limit, labels: entry.labels) }
            entry.limit?.set(to: Double(limit))
        } else if let gauge = entry.limit {
            registry.unregisterGauge(gauge)
            entry.limit = nil
        }
        sync(&entry.failcnt, Self.failcnt, sample.failcnt.map(Double.init), labels: entry.labels)
        sync(&entry.oomKills, Self.oomKills, sample.oomKillEvents.map(Double.init), labels: entry.labels)
        sync(&entry.pressureSome, Self.pressureSome, sample.pressure.map { Double($0.some.totalMicros) / 1_000_000 }, labels: entry.labels)
        sync(&entry.pressureFull, Self.pressureFull, sample.pressure?.full.map { Double($0.totalMicros) / 1_000_000 }, labels: entry.labels)
        if let avg10 = sample.pressure?.some.avg10 {
            if entry.pressureAvg10 == nil { entry.pressureAvg10 = registry.makeGauge(descriptor: Self.pressureAvg10, labels: entry.labels) }
            entry.pressureAvg10?.set(to: avg10 / 100)
        }
    }

    private func sync(_ slot: inout CounterSync?, _ descriptor: MetricNameDescriptor, _ value: Double?, labels: [(String, String)]) {
        guard let value else { return }
        if slot == nil { slot = CounterSync(registry.makeCounter(descriptor: descriptor, labels: labels)) }
        slot?.set(value)
    }

    private func remove(_ entry: Series) {
        registry.unregisterGauge(entry.usage)
        registry.unregisterGauge(entry.workingSet)
        if let gauge = entry.limit { registry.unregisterGauge(gauge) }
        if let gauge = entry.pressureAvg10 { registry.unregisterGauge(gauge) }
        for counter in [entry.failcnt, entry.oomKills, entry.pressureSome, entry.pressureFull].compactMap({ $0 }) {
            registry.unregisterCounter(counter.counter)
        }
    }
}
