import Foundation
import OOMWatchCore

/// Kernel log parsing throughput: oomwatch's decode + parse + assemble over a large generated
/// dmesg-format log, against `grep -cE` of the same trigger patterns on the same file, same run.
enum KernelParseBenchmark {
    enum Failure: Error, CustomStringConvertible {
        case grepMissing
        case grepFailed(Int32)
        case wrongKillCount(expected: Int, got: Int)

        var description: String {
            switch self {
            case .grepMissing: return "grep not found in /usr/bin or /bin"
            case .grepFailed(let s): return "grep exited with status \(s)"
            case .wrongKillCount(let e, let g): return "assembled \(g) kills, generated \(e)"
            }
        }
    }

    /// The trigger patterns grep counts (every line kind the parser recognises).
    static let grepPattern = "invoked oom-killer|oom-kill:|Killed process|Kill process|oom_reaper: reaped|memory: usage|killed as a result of limit|memory\\.oom\\.group|OOM victim|Kernel panic|BUG: |Oops"

    static let noise: [String] = [
        "audit: type=1400 audit(1583448728.949:176): apparmor=\"DENIED\" operation=\"open\" profile=\"snap.lxd\" name=\"/proc/1/environ\" pid=2122 comm=\"lxd\"",
        "IPv6: ADDRCONF(NETDEV_CHANGE): cali5e2a1b3c4d5: link becomes ready",
        "eth0: renamed from tmp8d3f2",
        "cni0: port 3(veth9a8b7c6d) entered forwarding state",
        "EXT4-fs (nvme1n1p1): mounted filesystem with ordered data mode. Opts: (null)",
        "TCP: request_sock_TCP: Possible SYN flooding on port 10250. Sending cookies.  Check SNMP counters.",
        "nf_conntrack: nf_conntrack: table full, dropping packet",
        "xfs filesystem being remounted at /var/lib/kubelet/pods/0b1e/volume-subpaths supports timestamps until 2038",
        "systemd-journald[412]: Data hash table of /var/log/journal/abc/system.journal has a fill level at 75.0",
        "kauditd_printk_skb: 24 callbacks suppressed",
        "CPU: 3 PID: 20511 Comm: java Not tainted 5.15.0-1051-aws #56~20.04.1-Ubuntu",
        "Call Trace:",
        " <TASK>",
        " dump_stack_lvl+0x4a/0x63",
        " out_of_memory+0x11a/0x4f0",
        "Mem-Info:",
        "active_anon:223841 inactive_anon:1024 isolated_anon:0",
        "Node 0 DMA32 free:44832kB min:4404kB low:5504kB high:6604kB reserved_highatomic:0KB",
        "[  20511]     0 20511  1163823   262144  2650112        0           992 java",
        "Memory cgroup stats for /kubepods/burstable/pod1c2d:",
        "overlayfs: upperdir is in-use as upperdir/workdir of another mount, accessing files from both mounts will result in undefined behavior.",
        "br-4f2a: port 1(veth1) entered disabled state",
        "device veth3c2b1a0 left promiscuous mode",
        "Tasks state (memory values in pages):",
    ]

    /// Appends one kill (alternating kernel generations) to `out`; returns the number of lines.
    static func appendKill(_ i: Int, stamp: (Int) -> String, into out: inout String) -> Int {
        let pid = 100_000 + i
        let cg = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1c2d3e4f_\(i)_aaaa.slice/cri-containerd-\(i)beef.scope"
        var lines: [String]
        switch i % 3 {
        case 0:
            lines = [
                "java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=992",
                "memory: usage 1048576kB, limit 1048576kB, failcnt 1234",
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=\(cg),task_memcg=\(cg),task=java,pid=\(pid),uid=1000",
                "Memory cgroup out of memory: Killed process \(pid) (java) total-vm:4655292kB, anon-rss:1040000kB, file-rss:8000kB, shmem-rss:0kB, UID:1000 pgtables:5000kB oom_score_adj:992",
                "oom_reaper: reaped process \(pid) (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
            ]
        case 1:
            lines = [
                "java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=-998",
                "java cpuset=\(i)beef mems_allowed=0",
                "Task in /kubepods/pod\(i)/\(i)beef killed as a result of limit of /kubepods/pod\(i)/\(i)beef",
                "memory: usage 524092kB, limit 524288kB, failcnt 164324",
                "Memory cgroup out of memory: Kill process \(pid) (java) score 0 or sacrifice child",
                "Killed process \(pid) (java) total-vm:20255636kB, anon-rss:466160kB, file-rss:13684kB",
            ]
        default:
            lines = ["Out of memory: Killed process \(pid) (my proc (1)) total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0"]
        }
        for l in lines {
            out += stamp(0)
            out += l
            out += "\n"
        }
        return lines.count
    }

    /// Generates `lines` lines (≈ one kill per 2,000 lines), writes them under `workDir`, runs
    /// both measurements and returns a printed table.
    static func run(lines: Int, workDir: String) throws -> BenchReport {
        // 1. Generate
        var text = String()
        text.reserveCapacity(lines * 110)
        var written = 0
        var kills = 0
        var micros = 1_000_000
        func stamp(_: Int) -> String {
            micros += 137
            let s = micros / 1_000_000
            let f = String(micros % 1_000_000)
            let sec = String(s)
            return "[" + String(repeating: " ", count: max(0, 5 - sec.count)) + sec + "." + String(repeating: "0", count: 6 - f.count) + f + "] "
        }
        var n = 0
        while written < lines {
            if n % 2_000 == 1_999 {
                written += appendKill(kills, stamp: stamp, into: &text)
                kills += 1
            } else {
                text += stamp(0)
                text += noise[n % noise.count]
                text += "\n"
                written += 1
            }
            n += 1
        }
        let path = (workDir as NSString).appendingPathComponent("oomwatch-kernel-bench-\(getpid()).log")
        let data = Data(text.utf8)
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let megabytes = Double(data.count) / 1_048_576

        // 2. oomwatch: read the file, decode, parse, assemble (best of 3)
        var best = Duration.seconds(1_000_000)
        var assembled = 0
        for _ in 0..<3 {
            let clock = ContinuousClock()
            let start = clock.now
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let analysis = KernelLogAnalysis.analyze(bytes)
            let elapsed = clock.now - start
            assembled = analysis.kills.count
            best = min(best, elapsed)
        }
        guard assembled == kills else { throw Failure.wrongKillCount(expected: kills, got: assembled) }

        // 3. grep -cE on the same file (best of 3)
        guard let grep = ["/usr/bin/grep", "/bin/grep"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure.grepMissing
        }
        var grepBest = Duration.seconds(1_000_000)
        var grepCount = ""
        for _ in 0..<3 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: grep)
            p.arguments = ["-cE", grepPattern, path]
            var env = ProcessInfo.processInfo.environment
            env["LC_ALL"] = "C"
            p.environment = env
            let pipe = Pipe()
            p.standardOutput = pipe
            let clock = ContinuousClock()
            let start = clock.now
            try p.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let elapsed = clock.now - start
            guard p.terminationStatus == 0 else { throw Failure.grepFailed(p.terminationStatus) }
            grepCount = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            grepBest = min(grepBest, elapsed)
        }

        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let ours = seconds(best)
        let theirs = seconds(grepBest)
        let oursLPS = Double(written) / ours
        let grepLPS = Double(written) / theirs
        var table = "kernel log parse benchmark: \(written) lines, \(String(format: "%.1f", megabytes)) MiB, \(kills) kills\n"
        table += "tool                       seconds     lines/s        MiB/s   result\n"
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, 24 - s.count)) }
        table += pad("oomwatch decode+assemble") + String(format: " %9.3f %11.0f %12.1f   %d kills assembled\n", ours, oursLPS, megabytes / ours, assembled)
        table += pad("LC_ALL=C grep -cE") + String(format: " %9.3f %11.0f %12.1f   ", theirs, grepLPS, megabytes / theirs) + grepCount + " matching lines\n"
        table += String(format: "ratio oomwatch/grep throughput: %.2f\n", oursLPS / grepLPS)
        let row = BenchReport.Row(
            benchmark: "kernel-parse", metric: "\(written / 1000)k dmesg lines, \(kills) kills",
            oomwatch: String(format: "%.0f MiB/s", megabytes / ours), reference: String(format: "grep -cE %.0f MiB/s", megabytes / theirs),
            comparison: String(format: "%.2f× grep", oursLPS / grepLPS))
        return BenchReport(detail: table, rows: [row])
    }
}
