#if canImport(Glibc)
import Glibc
#endif
import OOMWatchAdapters
import OOMWatchCore

/// Measures one poll of a node-sized cgroup v1 fixture tree on tmpfs against a plain
/// open/read/close loop over the same files (same run), and the memory held by 24 h of
/// history for that tree.
enum CgroupPollBenchmark {
    enum Failure: Error { case setup(String) }

    static let v1Unlimited = "9223372036854771712\n"

    /// Builds the tree under `workDir` (use tmpfs, e.g. /dev/shm), measures, removes the tree,
    /// and returns a printable table.
    static func run(pods: Int, containersPerPod: Int, workDir: String) throws -> BenchReport {
        let root = workDir + "/oomwatch-bench-\(getpid())"
        defer { removeTree(root) }
        let memory = root + "/memory"
        let relative = try buildTree(root: root, pods: pods, containersPerPod: containersPerPod)

        let sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(cgroupRoot: root))
        let tracked = sampler.walker.walk()
        guard tracked.count == relative.count + 1 else {
            throw Failure.setup("walker found \(tracked.count) cgroups, built \(relative.count + 1)")
        }
        // The files the sampler reads: memory.memsw.* only when this node has swap (they equal memory.* without).
        let nodeHasSwap = (sampler.poll().node?.swapTotalBytes ?? 1) != 0
        let fileNames = ["memory.usage_in_bytes", "memory.limit_in_bytes", "memory.stat", "memory.failcnt", "memory.oom_control"]
            + (nodeHasSwap ? ["memory.memsw.usage_in_bytes", "memory.memsw.limit_in_bytes"] : [])
        let files = tracked.flatMap { cgroup in fileNames.map { CgroupPath.join(memory, cgroup.path) + "/" + $0 } }
            + ["/proc/meminfo"]

        // Warm up both paths (dentry cache, page-ins), then alternate runs.
        var samples = 0
        for _ in 0..<3 { samples = sampler.poll().samples.count; _ = plainRead(files) }
        let rounds = 21
        var pollTimes: [UInt64] = []
        var plainTimes: [UInt64] = []
        var walkTimes: [UInt64] = []
        for _ in 0..<rounds {
            let t0 = nanos()
            let report = sampler.poll()
            let t1 = nanos()
            let bytes = plainRead(files)
            let t2 = nanos()
            _ = sampler.walker.walk()
            let t3 = nanos()
            precondition(report.samples.count == samples && bytes > 0)
            pollTimes.append(t1 - t0)
            plainTimes.append(t2 - t1)
            walkTimes.append(t3 - t2)
        }
        let poll = median(pollTimes)
        let plain = median(plainTimes)
        let walk = median(walkTimes)

        // The daemon's defaults: polls every 5 s, each pod (with its containers) re-read every 15 s, i.e. a
        // third of the pods per poll. Median cost of one such poll, after a first poll has read everything.
        let scheduled = try CgroupSampler(configuration: CgroupSamplerConfiguration(
            cgroupRoot: root, workloadRefresh: WorkloadRefreshSchedule(pollInterval: .seconds(5), workloadInterval: .seconds(15))))
        _ = scheduled.poll()
        var scheduledTimes: [UInt64] = []
        var freshPerPoll: [Int] = []
        for _ in 0..<rounds {
            let t0 = nanos()
            let report = scheduled.poll()
            scheduledTimes.append(nanos() - t0)
            freshPerPoll.append(report.samples.filter(\.fresh).count)
        }
        let scheduledPoll = median(scheduledTimes)
        let freshMedian = freshPerPoll.sorted()[freshPerPoll.count / 2]

        // 24 h as the daemon keeps it: slices every 5 s, pods and containers every 15 s.
        let report = sampler.poll()
        let rssBefore = residentBytes()
        let start: Int64 = 1_704_067_200
        var store = HistoryStore(configuration: HistoryStoreConfiguration(sampleIntervalSeconds: 5, workloadSampleIntervalSeconds: 15), now: start)
        let polls = 24 * 3600 / 5
        var reservedAtStart = 0
        let fillStart = nanos()
        var entries = report.samples
        // Every cgroup's usage moves along a busy node's random walk (see UsageWalk) every 5 s, its working set
        // with it: the history stores differences between samples, so values that never moved would flatter it.
        var usageWalk = UsageWalk(seed: 0x6869_7374)
        let levels = report.samples.map { $0.sample.usageBytes / 4096 }
        var pages = levels
        let inactive = report.samples.map { $0.sample.usageBytes - min($0.sample.usageBytes, $0.sample.workingSetBytes) }
        for i in 0..<polls {
            let t = start + Int64(i * 5)
            for j in entries.indices {
                pages[j] = usageWalk.next(pages[j], level: levels[j])
                let role = entries[j].cgroup.role
                if (role == .pod || role == .container) && i % 3 != 0 { continue }
                entries[j].sample.usageBytes = pages[j] * 4096
                entries[j].sample.workingSetBytes = pages[j] * 4096 - min(pages[j] * 4096, inactive[j])
                store.record(path: entries[j].cgroup.path, role: entries[j].cgroup.role, sample: entries[j].sample, at: t)
            }
            if i == 0 { reservedAtStart = store.approximateMemoryBytes }
        }
        let footprint = store.encodedFootprint
        let fillNanos = nanos() - fillStart
        let rssAfter = residentBytes()
        let query = store.query(cgroup: "/system.slice", window: 86_400, now: start + Int64(polls * 5))

        func ms(_ n: UInt64) -> String { String(Double(n / 1000) / 1000) }
        func mib(_ n: Int) -> String { String(Double(n / 1024) / 1024) }
        var lines: [String] = []
        lines.append("cgroup poll benchmark: \(pods) pods × \(containersPerPod) containers, v1 fixture tree on \(workDir)")
        lines.append("  tracked cgroups            \(tracked.count) (files read per poll: \(files.count))")
        lines.append("  poll (walk+read+parse)     \(ms(poll)) ms   median of \(rounds)")
        lines.append("    of which walk            \(ms(walk)) ms")
        lines.append("  plain open/read/close loop \(ms(plain)) ms   median of \(rounds), same files, same run")
        lines.append("  ratio poll / plain         \(String(Double(poll * 100 / max(plain, 1)) / 100))  (target ≤ 2)")
        lines.append("  default poll (pods / 15 s) \(ms(scheduledPoll)) ms   median of \(rounds); \(freshMedian) of \(tracked.count) cgroups read per poll")
        lines.append("  history: 24 h × 5 s fill   \(polls) polls in \(ms(fillNanos)) ms (\(fillNanos / UInt64(polls * tracked.count)) ns/append)")
        lines.append("  history approximateMemory  \(mib(store.approximateMemoryBytes)) MiB for \(store.trackedCount) cgroups (usage on a random walk)")
        lines.append("  history reserved at start  \(mib(reservedAtStart)) MiB (every ring empty); encoded after 24 h: \(footprint.bytes / 1024) KiB for \(footprint.points) points (\(String(format: "%.2f", Double(footprint.bytes) / Double(max(footprint.points, 1)))) B each; 12 or 28 B whole)")
        lines.append("  history bound              \(mib(store.configuration.memoryBoundBytes)) MiB for the \(store.configuration.maxTrackedCgroups)-cgroup cap, every difference at its largest")
        lines.append("  process RSS delta (fill)   \(mib(rssAfter - rssBefore)) MiB")
        lines.append("  process RSS after          \(mib(rssAfter)) MiB (bench process: tree paths + sampler + history)")
        lines.append("  query /system.slice 24 h   \(query?.points.count ?? 0) points, downsampled \(query?.downsampled ?? false)")
        let rows = [
            BenchReport.Row(benchmark: "cgroup-poll", metric: "one poll, \(tracked.count) cgroups", oomwatch: ms(poll) + " ms",
                            reference: "open/read/close loop " + ms(plain) + " ms",
                            comparison: String(format: "%.2f× the plain reads", Double(poll) / Double(max(plain, 1)))),
            BenchReport.Row(benchmark: "cgroup-poll", metric: "default poll (pods every 15 s)", oomwatch: ms(scheduledPoll) + " ms",
                            reference: "\(freshMedian) of \(tracked.count) cgroups read", comparison: String(format: "%.2f× the full plain reads", Double(scheduledPoll) / Double(max(plain, 1)))),
            BenchReport.Row(benchmark: "cgroup-poll", metric: "24 h history, \(store.trackedCount) cgroups", oomwatch: mib(store.approximateMemoryBytes) + " MiB",
                            reference: "-", comparison: "delta-encoded rings, usage on a random walk"),
        ]
        return BenchReport(detail: lines.joined(separator: "\n"), rows: rows)
    }

    /// Builds a node-sized cgroup v1 fixture tree under `root` (`<root>/memory/...`: kubepods with
    /// `pods` pods of `containersPerPod` containers across the three QoS tiers, system.slice with 30
    /// units, kube.slice, user.slice). Returns the cgroup paths created below the memory root.
    static func buildTree(root: String, pods: Int, containersPerPod: Int) throws -> [String] {
        let memory = root + "/memory"
        try makeDir(root)
        try makeDir(memory)
        try writeV1Files(memory, k: 1000)
        var relative: [String] = ["kubepods", "kubepods/burstable", "kubepods/besteffort"]
        for p in 0..<pods {
            let uid = String(format8(p)) + "-0000-4000-8000-000000000000"
            let tier = ["", "burstable/", "besteffort/"][p % 3]
            let pod = "kubepods/\(tier)pod\(uid)"
            relative.append(pod)
            for c in 0..<containersPerPod {
                relative.append(pod + "/" + String(repeating: format8(p * 16 + c), count: 8))
            }
        }
        relative.append("system.slice")
        for u in 0..<30 { relative.append("system.slice/unit\(u).service") }
        relative += ["kube.slice", "kube.slice/kubelet.service", "kube.slice/containerd.service", "user.slice"]
        for (i, path) in relative.enumerated() {
            try makeDir(memory + "/" + path)
            try writeV1Files(memory + "/" + path, k: i + 1)
        }
        return relative
    }

    static func format8(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    static func writeV1Files(_ dir: String, k: Int) throws {
        let m = 1 << 20
        try write(dir + "/memory.usage_in_bytes", "\(k * m)\n")
        try write(dir + "/memory.limit_in_bytes", k % 5 == 0 ? "\(k * 4 * m)\n" : v1Unlimited)
        var stat = ""
        let local: [(String, Int)] = [("cache", k * m / 4), ("rss", k * m / 2), ("rss_huge", 0), ("shmem", 0),
            ("mapped_file", 4096 * k), ("dirty", 0), ("writeback", 0), ("workingset_refault_anon", 0),
            ("workingset_refault_file", 0), ("swap", 0), ("swapcached", 0), ("pgpgin", 10 * k), ("pgpgout", 5 * k),
            ("pgfault", 100 * k), ("pgmajfault", 0), ("inactive_anon", k * m / 2), ("active_anon", 0),
            ("inactive_file", k * m / 8), ("active_file", k * m / 8), ("unevictable", 0)]
        for (key, v) in local { stat += "\(key) \(v)\n" }
        stat += "hierarchical_memory_limit 9223372036854771712\nhierarchical_memsw_limit 9223372036854771712\n"
        for (key, v) in local { stat += "total_\(key) \(v)\n" }
        try write(dir + "/memory.stat", stat)
        try write(dir + "/memory.failcnt", "0\n")
        try write(dir + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
        try write(dir + "/memory.memsw.usage_in_bytes", "\(k * m)\n")
        try write(dir + "/memory.memsw.limit_in_bytes", v1Unlimited)
    }

    /// The baseline: open, read into one buffer, close — no walk, no parsing.
    static func plainRead(_ files: [String]) -> Int {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var total = 0
        buffer.withUnsafeMutableBytes { raw in
            for file in files {
                let fd = open(file, O_RDONLY | O_CLOEXEC)
                if fd < 0 { continue }
                while true {
                    let n = read(fd, raw.baseAddress, raw.count)
                    if n <= 0 { break }
                    total += n
                }
                close(fd)
            }
        }
        return total
    }

    static func median(_ values: [UInt64]) -> UInt64 { values.sorted()[values.count / 2] }

    static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func makeDir(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw Failure.setup("mkdir \(path): errno \(errno)") }
    }

    static func write(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.setup("open \(path): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw Failure.setup("write \(path)") }
    }

    static func removeTree(_ path: String) {
        guard let dir = opendir(path) else { unlink(path); return }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            if entry.pointee.d_type == UInt8(DT_DIR) { removeTree(child) } else { unlink(child) }
        }
        closedir(dir)
        rmdir(path)
    }
}
