import OOMWatchCore

/// Kills assembled from real kernel line shapes (5.x+), for the event and diagnosis tests.
enum EventTestData {
    static let boot = "126da5aaa18b4c7eb85bf10b7378e4de"

    /// One memcg kill of `comm` (pid) whose task lives in `taskCgroup` and whose limit was hit at `limitCgroup`.
    static func kill(pid: Int, comm: String, taskCgroup: String, limitCgroup: String, realtimeMicros: Int64, monotonicMicros: Int64) -> OOMKill {
        var assembler = OOMKillAssembler()
        let lines = [
            "\(comm) invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=\(limitCgroup),task_memcg=\(taskCgroup),task=\(comm),pid=\(pid),uid=0",
            "Memory cgroup out of memory: Killed process \(pid) (\(comm)) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0",
        ]
        var events: [KernelEvent] = []
        for (offset, text) in lines.enumerated() {
            events += assembler.feed(KernelLine(text, realtimeMicros: realtimeMicros + Int64(offset), monotonicMicros: monotonicMicros + Int64(offset), bootID: boot))
        }
        events += assembler.finish()
        for case .kill(let kill) in events { return kill }
        fatalError("test data did not assemble into a kill")
    }
}
