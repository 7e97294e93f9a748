import Testing
@testable import OOMWatchCore
import OOMWatchTestSupport

/// Renders one kill in a random kernel generation's format, as a list of message lines.
func generatedKillLines(pid: Int, comm: String, rng: inout SplitMix64, dropHeader: Bool, dropReaper: Bool, group: [Int]) -> [String] {
    let gen = Int.random(in: 0..<6, using: &rng)
    let cg = "/kubepods/burstable/pod\(pid)-aaaa/\(pid)cafe"
    var out: [String] = []
    switch gen {
    case 0, 1: // 3.10 / RHEL 7
        if !dropHeader {
            out.append("\(comm) invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0")
            out.append("\(comm) cpuset=\(pid)cafe mems_allowed=0")
            out.append("Task in \(cg) killed as a result of limit of \(cg)")
            out.append("memory: usage 100kB, limit 100kB, failcnt 1")
        }
        out.append("Memory cgroup out of memory: Kill process \(pid) (\(comm)) score 5 or sacrifice child")
        out.append(gen == 0 ? "Killed process \(pid) (\(comm)) total-vm:10kB, anon-rss:5kB, file-rss:1kB"
                            : "Killed process \(pid) (\(comm)), UID 0, total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB")
    case 2: // 4.14
        if !dropHeader {
            out.append("\(comm) invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null),  order=0, oom_score_adj=0")
            out.append("\(comm) cpuset=/ mems_allowed=0")
        }
        out.append("Out of memory: Kill process \(pid) (\(comm)) score 5 or sacrifice child")
        out.append("Killed process \(pid) (\(comm)) total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB")
    default: // 5.x / 6.x, memcg or global, maybe oom.group
        let memcg = gen != 5
        if !dropHeader {
            out.append("\(comm) invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0")
            if memcg { out.append("memory: usage 100kB, limit 100kB, failcnt 1") }
            out.append("oom-kill:constraint=\(memcg ? "CONSTRAINT_MEMCG" : "CONSTRAINT_NONE"),nodemask=(null),cpuset=/,mems_allowed=0,"
                       + (memcg ? "oom_memcg=\(cg)" : "global_oom") + ",task_memcg=\(cg),task=\(comm),pid=\(pid),uid=0")
        }
        let prefix = memcg ? "Memory cgroup out of memory" : "Out of memory"
        let tail = "total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0"
        out.append("\(prefix): Killed process \(pid) (\(comm)) \(tail)")
        if !group.isEmpty {
            out.append("Tasks in \(cg) are going to be killed due to memory.oom.group set")
            out.append("\(prefix): Killed process \(pid) (\(comm)) \(tail)")
            for m in group { out.append("\(prefix): Killed process \(m) (member) \(tail)") }
        }
    }
    if !dropReaper { out.append("oom_reaper: reaped process \(pid) (\(comm)), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB") }
    return out
}

@Suite("Assembler properties")
struct AssemblerPropertyTests {
    static let noise = [
        "audit: type=1325 audit(1583448728.949:176): table=filter family=2 entries=31",
        "CPU: 0 PID: 2052 Comm: exe Not tainted 5.4.17-200.fc31.x86_64 #1",
        "Call Trace:", " dump_stack+0x66/0x90", "Mem-Info:",
        "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
        "[   3311]     0  3311     8843     8376   114688        0             0 haproxy",
        "EXT4-fs (vda): mounted filesystem with ordered data mode",
        "Memory cgroup stats for /kubepods:", "Tasks state (memory values in pages):",
    ]
    static let comms = ["java", "my proc (1)", "(sd-pam)", "Web Content", "a) b", "x", "kworker/u8:1", "stress-ng-vm"]

    @Test("N generated kills, randomly interleaved with headers dropped, assemble into exactly N kills", arguments: 0..<40)
    func exactlyN(seedBlock: Int) {
        for iteration in 0..<25 {
            let seed = UInt64(seedBlock * 1000 + iteration)
            var rng = SplitMix64(seed: seed)
            let n = Int.random(in: 1...30, using: &rng)
            var expected: [Int] = []
            var streams: [[String]] = []
            var nextPid = 1000
            for _ in 0..<n {
                let pid = nextPid
                nextPid += 10
                let comm = Self.comms.randomElement(using: &rng)!
                let groupSize = Int.random(in: 0..<10, using: &rng) == 0 ? Int.random(in: 1...3, using: &rng) : 0
                let members = (0..<groupSize).map { pid + 1 + $0 }
                streams.append(generatedKillLines(pid: pid, comm: comm, rng: &rng,
                                                  dropHeader: Bool.random(using: &rng), dropReaper: Bool.random(using: &rng), group: members))
                // group members only exist in the 5.x+ format; count what was actually rendered
                let rendered = streams.last!.filter { $0.contains("Killed process") }.count
                expected.append(pid)
                if rendered > 1 { expected += members }
            }
            // Interleave: either whole records in sequence, or line by line across up to 3 concurrent records.
            var lines: [String] = []
            let interleave = Bool.random(using: &rng)
            var cursors = [Int](repeating: 0, count: streams.count)
            var active: [Int] = []
            var next = 0
            while next < streams.count || !active.isEmpty {
                while active.count < (interleave ? 3 : 1) && next < streams.count { active.append(next); next += 1 }
                let pick = Int.random(in: 0..<active.count, using: &rng)
                let s = active[pick]
                lines.append(streams[s][cursors[s]])
                cursors[s] += 1
                if cursors[s] == streams[s].count { active.remove(at: pick) }
                if Int.random(in: 0..<3, using: &rng) == 0 { lines.append(Self.noise.randomElement(using: &rng)!) }
            }
            var assembler = OOMKillAssembler()
            var kills: [OOMKill] = []
            for (i, text) in lines.enumerated() {
                for e in assembler.feed(KernelLine(text, monotonicMicros: Int64(1_000_000 + i * 500), bootID: "boot")) {
                    if case .kill(let k) = e { kills.append(k) }
                }
            }
            for e in assembler.finish() { if case .kill(let k) = e { kills.append(k) } }
            let pids = kills.map(\.victim.pid)
            #expect(pids.sorted() == expected.sorted(), "seed \(seed)")
            #expect(Set(kills.map(\.id)).count == kills.count, "seed \(seed)")
            #expect(assembler.counters.malformedLines == 0, "seed \(seed)")
            #expect(assembler.pendingCount == (0, 0), "seed \(seed)")
            if !interleave {
                // Sequential records: every kill whose header was printed gets its own trigger.
                for k in kills where k.trigger != nil && k.oomGroupCgroup == nil {
                    #expect(Self.comms.contains(k.trigger!.comm.display), "seed \(seed)")
                    #expect(k.trigger!.comm == k.victim.comm, "seed \(seed)")
                }
            }
        }
    }

    @Test("hostile input cannot grow state beyond the caps")
    func bounded() {
        var config = OOMKillAssembler.Configuration()
        config.maxPendingReports = 8
        config.maxHeldKills = 16
        var a = OOMKillAssembler(configuration: config)
        var kills = 0
        for i in 0..<10_000 {
            let line = i % 2 == 0 ? "x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
                                  : "Killed process \(i) (p) total-vm:1kB, anon-rss:1kB, file-rss:1kB"
            for e in a.feed(KernelLine(line)) { if case .kill = e { kills += 1 } }
            #expect(a.pendingCount.reports <= 8 && a.pendingCount.kills <= 16)
        }
        for e in a.finish() { if case .kill = e { kills += 1 } }
        #expect(kills == 5_000)
    }
}
