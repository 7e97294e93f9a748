// oomwatch-bench: the benchmark harness behind `make bench`.
//   oomwatch-bench fixture [--pods N] [--containers N] [--work-dir DIR]: only builds the node-sized v1 cgroup
//                  fixture tree the daemon benchmarks use, prints its root and leaves it (scripts/hot-functions.sh).
//   oomwatch-bench [all|kernel-parse|cgroup-poll|journal-replay|steady-state|http-load]
//                  [--lines N] [--journal-entries N] [--pods N] [--containers N] [--work-dir DIR]
//                  [--duration SECONDS] [--scrape-interval SECONDS] [--load-duration SECONDS] [--connections 1,16,64]
//                  [--pod-poll-interval DURATION (oomwatch's, default 15s)]
// Each benchmark prints its table; at the end all rows print in one summary table. Run a release build
// (make bench does, and builds the `oomwatch` binary next to this one for steady-state and http-load).
import Foundation

let commandLine = Array(CommandLine.arguments.dropFirst())
let which = commandLine.first.flatMap { $0.hasPrefix("--") ? nil : $0 } ?? "all"

func option(_ name: String, default value: String) -> String {
    guard let index = commandLine.firstIndex(of: name), index + 1 < commandLine.count else { return value }
    return commandLine[index + 1]
}

let pods = Int(option("--pods", default: "1000")) ?? 1000
let containers = Int(option("--containers", default: "2")) ?? 2
let workDir = option("--work-dir", default: "/dev/shm")
let lines = Int(option("--lines", default: "1000000")) ?? 1_000_000
let journalEntries = Int(option("--journal-entries", default: "200000")) ?? 200_000
let duration = Int(option("--duration", default: "60")) ?? 60
let scrapeInterval = Int(option("--scrape-interval", default: "15")) ?? 15
let loadDuration = Int(option("--load-duration", default: "10")) ?? 10
let connections = option("--connections", default: "1,16,64").split(separator: ",").compactMap { Int($0) }
let podPollInterval = option("--pod-poll-interval", default: "15s")

if which == "fixture" {
    let root = workDir + "/oomwatch-fixture-\(getpid())/cgroup"
    do {
        try CgroupPollBenchmark.makeDir(workDir + "/oomwatch-fixture-\(getpid())")
        let cgroups = try CgroupPollBenchmark.buildTree(root: root, pods: pods, containersPerPod: containers).count + 1
        FileHandle.standardError.write(Data("\(cgroups) cgroups (\(pods) pods × \(containers) containers) under \(root)\n".utf8))
        print(root)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cannot build the fixture under \(workDir): \(error)\n".utf8))
        exit(1)
    }
}

let benchmarks: [(name: String, run: () async throws -> BenchReport)] = [
    ("kernel-parse", { try KernelParseBenchmark.run(lines: lines, workDir: workDir) }),
    ("journal-replay", { try await JournalReplayBenchmark.run(entries: journalEntries, workDir: workDir) }),
    ("cgroup-poll", { try CgroupPollBenchmark.run(pods: pods, containersPerPod: containers, workDir: workDir) }),
    ("steady-state", {
        try SteadyStateBenchmark.run(
            seconds: duration, scrapeSeconds: scrapeInterval, pods: pods, containersPerPod: containers, workDir: workDir, podPollInterval: podPollInterval)
    }),
    ("http-load", { try HTTPLoadBenchmark.run(
        seconds: loadDuration, connections: connections, pods: pods, containersPerPod: containers, workDir: workDir, podPollInterval: podPollInterval) }),
]

let selected = benchmarks.filter { which == "all" || $0.name == which }
if selected.isEmpty {
    print("unknown benchmark '\(which)'; available: all \(benchmarks.map(\.name).joined(separator: " "))")
    exit(2)
}
var rows: [BenchReport.Row] = []
for benchmark in selected {
    print("== \(benchmark.name) ==")
    fflush(nil)
    do {
        let report = try await benchmark.run()
        print(report.detail)
        rows += report.rows
    } catch {
        print("benchmark \(benchmark.name) failed: \(error)")
        exit(1)
    }
    fflush(nil)
}
print("== summary ==")
print(MachineDescription.current())
print(BenchReport.table(rows))
