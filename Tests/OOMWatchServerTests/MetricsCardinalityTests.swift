import Foundation
import OOMWatchCore
import Prometheus
import Testing

@testable import OOMWatchServer

@Suite("Metric series come and go with what they describe")
struct MetricsCardinalityTests {
    static func report(_ paths: [(String, TrackedCgroupRole, UInt64?)]) -> PollReport {
        PollReport(
            samples: paths.map { path, role, limit in
                SampledCgroup(cgroup: TrackedCgroup(path: path, role: role),
                              sample: MemorySample(usageBytes: 100, limitBytes: limit, workingSetBytes: 80, failcnt: 3, oomKillEvents: 1))
            },
            node: NodeMemoryInfo(memTotalBytes: 1 << 30), vanishedCgroups: 1, unreadableFiles: 0, malformedFiles: 0, warnings: [], durationNanos: 1_000_000)
    }

    static func text(_ registry: PrometheusCollectorRegistry, _ metrics: CgroupMetrics) -> String {
        var buffer = registry.emitToBuffer()
        metrics.render(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func seriesOfVanishedCgroupsGoAfterTheGracePeriodAndLimitsWhenUnlimited() {
        let registry = PrometheusCollectorRegistry()
        let metrics = CgroupMetrics(registry: registry, graceSeconds: 60)
        let pod = "/kubepods/burstable/pod11111111-2222-3333-4444-555555555555"
        metrics.update(Self.report([("/system.slice", .slice, 512 << 20), (pod, .pod, nil)]), nowSeconds: 1_000)
        var text = Self.text(registry, metrics)
        #expect(text.contains("oomwatch_cgroup_memory_limit_bytes{cgroup=\"/system.slice\""))
        #expect(!text.contains("oomwatch_cgroup_memory_limit_bytes{cgroup=\"\(pod)\""), "no limit series for an unlimited cgroup")
        #expect(text.contains("oomwatch_cgroup_memory_usage_bytes{cgroup=\"\(pod)\",owner_kind=\"pod\",slice=\"kubepods\",namespace=\"\",pod=\"11111111-2222-3333-4444-555555555555\",container=\"\",qos=\"burstable\",unit=\"\"} 100"))
        #expect(text.contains("oomwatch_cgroup_memory_failcnt_total{cgroup=\"/system.slice\""))
        #expect(text.contains("oomwatch_node_memory_capacity_bytes 1073741824"))
        // The pod is gone: its series stay through the grace period, then go.
        metrics.update(Self.report([("/system.slice", .slice, nil)]), nowSeconds: 1_050)
        text = Self.text(registry, metrics)
        #expect(text.contains("cgroup=\"\(pod)\""), "within the grace period")
        #expect(!text.contains("oomwatch_cgroup_memory_limit_bytes{cgroup=\"/system.slice\""), "system.slice became unlimited")
        metrics.update(Self.report([("/system.slice", .slice, nil)]), nowSeconds: 1_061)
        text = Self.text(registry, metrics)
        #expect(!text.contains("cgroup=\"\(pod)\""), "gone after the grace period")
        #expect(text.contains("oomwatch_cgroup_poll_errors_total{reason=\"vanished\"} 3"))
    }

    @Test func labelValuesAreEscapedAndEachFamilyHasOneHeader() {
        let registry = PrometheusCollectorRegistry()
        let metrics = CgroupMetrics(registry: registry, graceSeconds: 60)
        let odd = "/system.slice/we\"ird\\unit\nx.service"
        metrics.update(Self.report([("/system.slice", .slice, 512 << 20), (odd, .unit, nil)]), nowSeconds: 1_000)
        let text = Self.text(registry, metrics)
        #expect(text.contains(#"oomwatch_cgroup_memory_usage_bytes{cgroup="/system.slice/we\"ird\\unit\nx.service","#))
        #expect(text.components(separatedBy: "# TYPE oomwatch_cgroup_memory_usage_bytes gauge\n").count == 2)
        #expect(text.components(separatedBy: "\noomwatch_cgroup_memory_usage_bytes{").count == 3, "one line per cgroup")
        #expect(metrics.seriesCount == 2)
    }

    @Test func pressureAndCountersAreWrittenOnlyForTheCgroupsThatHaveThem() {
        let registry = PrometheusCollectorRegistry()
        let metrics = CgroupMetrics(registry: registry, graceSeconds: 60)
        var v2 = MemorySample(usageBytes: 100, limitBytes: 200, workingSetBytes: 80)
        v2.pressure = PressureStall(
            some: PressureStallLine(avg10: 12.5, avg60: 1, avg300: 0, totalMicros: 2_500_000),
            full: PressureStallLine(avg10: 0, avg60: 0, avg300: 0, totalMicros: 750_000))
        let someOnly = MemorySample(usageBytes: 100, limitBytes: nil, workingSetBytes: 80)
        metrics.update(PollReport(
            samples: [SampledCgroup(cgroup: TrackedCgroup(path: "/system.slice", role: .slice), sample: v2),
                      SampledCgroup(cgroup: TrackedCgroup(path: "/kube.slice", role: .slice), sample: someOnly)],
            node: nil, vanishedCgroups: 0, unreadableFiles: 0, malformedFiles: 0, warnings: [], durationNanos: 0), nowSeconds: 1_000)
        let text = Self.text(registry, metrics)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("oomwatch_cgroup_") }
        func value(_ family: String, _ cgroup: String) -> String? {
            lines.first { $0.hasPrefix("\(family){cgroup=\"\(cgroup)\"") }.map { String($0.split(separator: " ").last!) }
        }
        #expect(value("oomwatch_cgroup_memory_pressure_some_seconds_total", "/system.slice") == "2.5")
        #expect(value("oomwatch_cgroup_memory_pressure_full_seconds_total", "/system.slice") == "0.75")
        #expect(value("oomwatch_cgroup_memory_pressure_some_avg10_ratio", "/system.slice") == "0.125")
        #expect(value("oomwatch_cgroup_memory_limit_bytes", "/system.slice") == "200")
        #expect(value("oomwatch_cgroup_memory_usage_bytes", "/kube.slice") == "100")
        for family in ["pressure_some_seconds_total", "pressure_full_seconds_total", "pressure_some_avg10_ratio", "limit_bytes", "failcnt_total", "oom_kill_total"] {
            #expect(value("oomwatch_cgroup_memory_" + family, "/kube.slice") == nil, "\(family) absent")
        }
        #expect(value("oomwatch_cgroup_memory_failcnt_total", "/system.slice") == nil)
    }

    @Test func killSeriesAreCappedAndTheLeastRecentlyKilledOwnerGoes() {
        let registry = PrometheusCollectorRegistry()
        let metrics = KillMetrics(registry: registry, maxSeries: 2)
        func kill(_ unit: String, _ pid: Int) -> OOMKill {
            var assembler = OOMKillAssembler()
            var events = assembler.feed(KernelLine("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice,task_memcg=/system.slice/\(unit),task=x,pid=\(pid),uid=0", monotonicMicros: Int64(pid), bootID: "b"))
            events += assembler.feed(KernelLine("Memory cgroup out of memory: Killed process \(pid) (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0", monotonicMicros: Int64(pid) + 1, bootID: "b"))
            events += assembler.finish()
            for case .kill(let kill) in events { return kill }
            Issue.record("no kill assembled")
            return OOMKill(id: "", bootID: nil, realtimeMicros: nil, monotonicMicros: nil, context: .memoryCgroup, trigger: nil,
                           victim: .init(pid: 0, comm: ProcessName(bytes: [])), constraint: .unknown, limitCgroup: nil, taskCgroup: nil,
                           cpuset: nil, memsAllowed: nil, memcg: nil, candidate: nil, reaped: nil, oomGroupCgroup: nil, owner: .root, limitOwner: nil)
        }
        metrics.record(kill("a.service", 1))
        metrics.record(kill("b.service", 2))
        metrics.record(kill("a.service", 3))
        var text = registry.emitToString()
        #expect(text.contains("unit=\"a.service\",constraint=\"memcg\"} 2"))
        #expect(text.contains("unit=\"b.service\",constraint=\"memcg\"} 1"))
        metrics.record(kill("c.service", 4))
        text = registry.emitToString()
        #expect(!text.contains("unit=\"b.service\""), "b was killed least recently: its series made room")
        #expect(text.contains("unit=\"c.service\",constraint=\"memcg\"} 1"))
        #expect(text.contains("oomwatch_oom_kills_by_limit_total{limit_cgroup=\"/system.slice\",limit_owner_kind=\"slice\",constraint=\"memcg\"} 4"))
    }
}
