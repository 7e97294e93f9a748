import OOMWatchCore
import Prometheus
import Synchronization

/// The per-cgroup gauges and counters from each poll, labelled with the cgroup path and its owner.
/// Series of cgroups not seen for `grace` are removed, so vanished pods do not pile up.
///
/// The per-cgroup families are rendered here, from the latest values, rather than registered one series
/// at a time in swift-prometheus: a node has thousands of cgroups (1,000 pods × 2 containers is ~15,000
/// series), and the registry keeps an object, a label array and a pre-rendered copy of the labels for
/// each series, which costs megabytes and a lock per series on churn. Here each cgroup keeps its label
/// text once, shared by its families (the way node_exporter and cAdvisor build "const metrics" at scrape
/// time). The few scalar metrics (capacity, poll duration, errors) stay in the registry.
final class CgroupMetrics: Sendable {
    /// One cgroup's latest values and its rendered label set (`{cgroup="…",…}`).
    private struct Series {
        var labels: [UInt8]
        var usage: UInt64 = 0
        var workingSet: UInt64 = 0
        var limit: UInt64?
        var failcnt: UInt64?
        var oomKills: UInt64?
        var pressureSome: Double?
        var pressureFull: Double?
        var pressureAvg10: Double?
        var lastSeen: Int64
    }

    /// A family: its name, type and help, and how to read its value from a series.
    private struct Family: Sendable {
        let name: String
        let type: String
        let help: String
        let value: @Sendable (Series) -> String?
    }

    private static let families: [Family] = [
        Family(name: "oomwatch_cgroup_memory_usage_bytes", type: "gauge",
               help: "Memory usage of the cgroup (v1 memory.usage_in_bytes, v2 memory.current).") { String($0.usage) },
        Family(name: "oomwatch_cgroup_memory_working_set_bytes", type: "gauge",
               help: "Working set: usage minus inactive file cache, as kubelet computes it.") { String($0.workingSet) },
        Family(name: "oomwatch_cgroup_memory_limit_bytes", type: "gauge",
               help: "Memory limit of the cgroup; absent when unlimited.") { $0.limit.map { String($0) } },
        Family(name: "oomwatch_cgroup_memory_failcnt_total", type: "counter",
               help: "Times the cgroup hit its limit (v1 memory.failcnt).") { $0.failcnt.map { String($0) } },
        Family(name: "oomwatch_cgroup_memory_oom_kill_total", type: "counter",
               help: "OOM kills counted by the kernel for the cgroup (v1 oom_control, v2 memory.events).") { $0.oomKills.map { String($0) } },
        Family(name: "oomwatch_cgroup_memory_pressure_some_seconds_total", type: "counter",
               help: "Time some tasks stalled on memory (PSI, v2 memory.pressure).") { $0.pressureSome.map { String($0) } },
        Family(name: "oomwatch_cgroup_memory_pressure_full_seconds_total", type: "counter",
               help: "Time all tasks stalled on memory (PSI, v2 memory.pressure).") { $0.pressureFull.map { String($0) } },
        Family(name: "oomwatch_cgroup_memory_pressure_some_avg10_ratio", type: "gauge",
               help: "Share of the last 10 s some tasks stalled on memory (PSI avg10 / 100).") { $0.pressureAvg10.map { String($0) } },
    ]

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

    init(registry: PrometheusCollectorRegistry, graceSeconds: Int64, namer: PodNamer? = nil, maxCgroups: Int = 20_000) {
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

    /// Number of cgroups with series now.
    var seriesCount: Int { series.withLock { $0.count } }

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
                // One hash of the path per cgroup and poll (this loop runs over every cgroup every poll).
                if let index = all.index(forKey: path) {
                    if sampled.fresh {
                        Self.update(&all.values[index], with: sampled.sample, now: now)
                    } else {
                        // Not re-read in this poll: the series already hold these values.
                        all.values[index].lastSeen = now
                    }
                    continue
                }
                guard all.count < maxCgroups else { continue }
                let labels = [("cgroup", path)] + OwnerLabels(owner(of: path)).pairs
                var entry = Series(labels: Self.render(labels), lastSeen: now)
                Self.update(&entry, with: sampled.sample, now: now)
                all[path] = entry
            }
            let stale = all.compactMap { now - $0.value.lastSeen > graceSeconds ? $0.key : nil }
            for path in stale { all[path] = nil }
        }
    }

    private func owner(of path: String) -> CgroupOwner {
        let owner = CgroupPathClassifier.classify(path)
        return namer?.name(owner) ?? owner
    }

    private static func update(_ entry: inout Series, with sample: MemorySample, now: Int64) {
        entry.lastSeen = now
        entry.usage = sample.usageBytes
        entry.workingSet = sample.workingSetBytes
        entry.limit = sample.limitBytes
        // Kernel counters: a value goes only when the kernel stops reporting it (the file is gone).
        entry.failcnt = sample.failcnt
        entry.oomKills = sample.oomKillEvents
        entry.pressureSome = sample.pressure.map { Double($0.some.totalMicros) / 1_000_000 }
        entry.pressureFull = sample.pressure?.full.map { Double($0.totalMicros) / 1_000_000 }
        entry.pressureAvg10 = sample.pressure.map { $0.some.avg10 / 100 }
    }

    /// Appends every per-cgroup family in the text exposition format (HELP and TYPE once per family with
    /// at least one series, then one line per cgroup that has the value).
    func render(into buffer: inout [UInt8]) {
        series.withLock { all in
            for family in Self.families {
                var wroteHeader = false
                for entry in all.values {
                    guard let value = family.value(entry) else { continue }
                    if !wroteHeader {
                        buffer.append(contentsOf: "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n".utf8)
                        wroteHeader = true
                    }
                    buffer.append(contentsOf: family.name.utf8)
                    buffer.append(contentsOf: entry.labels)
                    buffer.append(UInt8(ascii: " "))
                    buffer.append(contentsOf: value.utf8)
                    buffer.append(UInt8(ascii: "\n"))
                }
            }
        }
    }

    /// `{name="value",…}` with values escaped as the exposition format requires (\\, \", \n).
    static func render(_ labels: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, (name, value)) in labels.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "=\"".utf8)
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
