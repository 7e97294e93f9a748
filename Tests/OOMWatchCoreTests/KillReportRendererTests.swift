import Foundation
import Testing
@testable import OOMWatchCore

@Suite("Kill report rendering")
struct KillReportRendererTests {
    static func kills() -> [OOMKill] {
        analyze("""
        [  147.358790] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice,task_memcg=/system.slice/haproxy.service,task=haproxy,pid=989,uid=0
        [  147.377885] Memory cgroup out of memory: Killed process 989 (haproxy) total-vm:856872kB, anon-rss:49600kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:464kB oom_score_adj:-999
        [  150.000000] Memory cgroup out of memory: Killed process 990 (haproxy) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0
        """).kills
    }

    @Test("JSON Lines: one sorted-key camelCase object per kill, decodable back")
    func jsonLines() throws {
        let k = Self.kills()
        let text = try KillReportRenderer.jsonLines(k)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == #"{"constraint":"memcg","context":"memoryCgroup","cpuset":"/","id":"\#(k[0].id)","limitCgroup":"/system.slice","limitOwner":{"kind":"slice","slice":"system.slice"},"memsAllowed":"0","monotonicMicros":147377885,"owner":{"kind":"unit","slice":"system.slice","unit":"haproxy.service"},"taskCgroup":"/system.slice/haproxy.service","victim":{"anonRssKB":49600,"comm":"haproxy","fileRssKB":0,"oomScoreAdj":-999,"pgtablesKB":464,"pid":989,"shmemRssKB":0,"totalVmKB":856872,"uid":0}}"#)
        #expect(try JSONDecoder().decode(OOMKill.self, from: Data(lines[0].utf8)) == k[0])
    }

    @Test("table and per-owner summary")
    func tableAndSummary() {
        let k = Self.kills()
        #expect(KillReportRenderer.table(k) == """
        TIME          CONSTRAINT  OWNER                         VICTIM       ANON-RSS  TRIGGER  LIMIT-CGROUP
        [147.377885]  memcg       system.slice/haproxy.service  989 haproxy  48.4MiB   -        /system.slice
        [150.000000]  memcg       (no cgroup)                   990 haproxy  0.0MiB    -        -

        """)
        #expect(KillReportRenderer.summary(k) == """
        KILLS  KIND     OWNER
        1      unknown  (no cgroup)
        1      unit     system.slice/haproxy.service
        2      total

        """)
    }
}
