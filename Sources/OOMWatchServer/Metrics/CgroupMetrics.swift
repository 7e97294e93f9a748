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
    /// One cgroup's latest values and its rendered owner labels. Values a cgroup does not have are kept as
    /// `absent` (counters and limits never reach UInt64.max) or NaN (PSI totals and averages never are): a
    /// series is 80 bytes instead of 128 with optionals, over thousands of cgroups.
    private struct Series {
        /// The labels after the cgroup's path: `,owner_kind="…",…}` (the path is the series' key and is
        /// written at render time, not kept twice).
        var ownerLabels: [UInt8]
        /// The path has a byte the exposition format escapes (\\, " or a newline): rare, so checked once.
        var pathNeedsEscaping: Bool
        var usage: UInt64 = 0
        var workingSet: UInt64 = 0
        var limit: UInt64 = Series.absent
        var failcnt: UInt64 = Series.absent
        var oomKills: UInt64 = Series.absent
        var pressureSome: Double = .nan
        var pressureFull: Double = .nan
        var pressureAvg10: Double = .nan
        var lastSeen: Int64

        static let absent = UInt64.max

        static func text(_ value: UInt64) -> String? { value == absent ? nil : String(value) }
        static func text(_ value: Double) -> String? { value.isNaN ? nil : String(value) }
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
               help: "Memory limit of the cgroup; absent when unlimited.") { Series.text($0.limit) },
        Family(name: "oomwatch_cgroup_memory_failcnt_total", type: "counter",
               help: "Times the cgroup hit its limit (v1 memory.failcnt).") { Series.text($0.failcnt) },
        Family(name: "oomwatch_cgroup_memory_oom_kill_total", type: "counter",
               help: "OOM kills counted by the kernel for the cgroup (v1 oom_control, v2 memory.events).") { Series.text($0.oomKills) },
        Family(name: "oomwatch_cgroup_memory_pressure_some_seconds_total", type: "counter",
               help: "Time some tasks stalled on memory (PSI, v2 memory.pressure).") { Series.text($0.pressureSome) },
        Family(name: "oomwatch_cgroup_memory_pressure_full_seconds_total", type: "counter",
               help: "Time all tasks stalled on memory (PSI, v2 memory.pressure).") { Series.text($0.pressureFull) },
        Family(name: "oomwatch_cgroup_memory_pressure_some_avg10_ratio", type: "gauge",
               help: "Share of the last 10 s some tasks stalled on memory (PSI avg10 / 100).") { Series.text($0.pressureAvg10) },
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
                var entry = Series(
                    ownerLabels: Self.renderRemainingLabels(OwnerLabels(owner(of: path)).pairs),
                    pathNeedsEscaping: path.utf8.contains { Self.needsEscaping($0) }, lastSeen: now)
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
        entry.limit = sample.limitBytes ?? Series.absent
        // Kernel counters: a value goes only when the kernel stops reporting it (the file is gone).
        entry.failcnt = sample.failcnt ?? Series.absent
        entry.oomKills = sample.oomKillEvents ?? Series.absent
        entry.pressureSome = sample.pressure.map { Double($0.some.totalMicros) / 1_000_000 } ?? .nan
        entry.pressureFull = sample.pressure?.full.map { Double($0.totalMicros) / 1_000_000 } ?? .nan
        entry.pressureAvg10 = sample.pressure.map { $0.some.avg10 / 100 } ?? .nan
    }

    /// Appends every per-cgroup family in the text exposition format (HELP and TYPE once per family with
    /// at least one series, then one line per cgroup that has the value).
    func render(into buffer: inout [UInt8]) {
        series.withLock { all in
            for family in Self.families {
                var wroteHeader = false
                for (path, entry) in all {
                    guard let value = family.value(entry) else { continue }
                    if !wroteHeader {
                        buffer.append(contentsOf: "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n".utf8)
                        wroteHeader = true
                    }
                    buffer.append(contentsOf: family.name.utf8)
                    buffer.append(contentsOf: Self.cgroupLabelStart)
                    if entry.pathNeedsEscaping {
                        Self.appendEscaped(path, to: &buffer)
                    } else {
                        buffer.append(contentsOf: path.utf8)
                    }
                    buffer.append(UInt8(ascii: "\""))
                    buffer.append(contentsOf: entry.ownerLabels)
                    buffer.append(UInt8(ascii: " "))
                    buffer.append(contentsOf: value.utf8)
                    buffer.append(UInt8(ascii: "\n"))
                }
            }
        }
    }

    /// `{cgroup="` opens every per-cgroup label set.
    private static let cgroupLabelStart: [UInt8] = Array("{cgroup=\"".utf8)

    /// Bytes the exposition format escapes in label values.
    static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
    }

    /// Appends `value` escaped as the exposition format requires (\\, \", \n).
    static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            default: out.append(byte)
            }
        }
    }

    /// `,name="value",…}` with values escaped: the rest of a label set whose first label (the cgroup) is
    /// written before it.
    static func renderRemainingLabels(_ labels: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in labels {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "=\"".utf8)
            appendEscaped(value, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        // Kept for the cgroup's life: a copy holds exactly the text (appending left up to twice the room).
        return [UInt8](unsafeUninitializedCapacity: out.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: out)
        }
    }
}
