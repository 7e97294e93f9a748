// oomwatch-bench: the benchmark harness behind `make bench`.
//   oomwatch-bench [all|kernel-parse|cgroup-poll] [--lines N] [--pods N] [--containers N] [--work-dir DIR]
// Each benchmark prints a table; run a release build (make bench does).
import Glibc

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

let benchmarks: [(name: String, run: () throws -> String)] = [
    ("kernel-parse", { try KernelParseBenchmark.run(lines: lines, workDir: workDir) }),
    ("cgroup-poll", { try CgroupPollBenchmark.run(pods: pods, containersPerPod: containers, workDir: workDir) }),
]

let selected = benchmarks.filter { which == "all" || $0.name == which }
if selected.isEmpty {
    print("unknown benchmark '\(which)'; available: all \(benchmarks.map(\.name).joined(separator: " "))")
    exit(2)
}
for benchmark in selected {
    print("== \(benchmark.name) ==")
    do {
        print(try benchmark.run())
    } catch {
        print("benchmark \(benchmark.name) failed: \(error)")
        exit(1)
    }
}
