import Foundation
import Testing
@testable import OOMWatchCore

/// Fixture tests per kernel generation. Provenance of every fixture: Fixtures/README.md.
@Suite("Kernel OOM fixtures")
struct KernelFixtureTests {
    static let gfpKernel = (mask: "0xcc0", flags: "GFP_KERNEL")
    static let memsw = OOMKill.MemcgState(usageKB: 32768, limitKB: 32768, failcnt: 81, swapUsageKB: 32768, swapLimitKB: 9_007_199_254_740_988, swapFailcnt: 0)

    // MARK: 6.18 — real kills on this machine

    func checkReal618(_ a: KernelLogAnalysis, boot: String? = nil) {
        #expect(a.kills.count == 3)
        #expect(a.assemblerCounters.malformedLines == 0)
        #expect(a.assemblerCounters.duplicateKillLines == 0)
        let t = "/oomwatch-test-3391"
        expectSame(a.kills.first, expectedKill(
            boot: boot, mono: 1_073_410_295, context: .memoryCgroup,
            trigger: .init(comm: "haproxy", gfpMask: "0xcc0", gfpFlags: "GFP_KERNEL", order: 0, oomScoreAdj: 0),
            victim: .init(pid: 19063, comm: "haproxy", uid: 0, totalVmKB: 35372, anonRssKB: 32512, fileRssKB: 960, shmemRssKB: 0, pgtablesKB: 108, oomScoreAdj: 0),
            constraint: .memcg, limit: "\(t)/system.slice", task: "\(t)/system.slice/haproxy.service", cpuset: "/", mems: "0",
            memcg: Self.memsw))
        #expect(a.kills.first?.owner == .systemdUnit(slice: "system.slice", unit: "haproxy.service"))
        #expect(a.kills.first?.limitOwner == .slice("system.slice"))

        let podUID = "5e3c4bcb-760b-11e9-bcb4-5c260afbd27c"
        let cid = "56f14365daad5b7ea9d7960ec1ddf31777941d7ce80221d373668ca637fdf6fa"
        expectSame(a.kills.count > 1 ? a.kills[1] : nil, expectedKill(
            boot: boot, mono: 1_073_480_171, context: .memoryCgroup,
            trigger: .init(comm: "my proc (1)", gfpMask: "0xcc0", gfpFlags: "GFP_KERNEL", order: 0, oomScoreAdj: 0),
            victim: .init(pid: 19065, comm: "my proc (1)", uid: 0, totalVmKB: 35372, anonRssKB: 32512, fileRssKB: 996, shmemRssKB: 0, pgtablesKB: 108, oomScoreAdj: 0),
            constraint: .memcg, limit: "\(t)/kubepods/burstable/pod\(podUID)", task: "\(t)/kubepods/burstable/pod\(podUID)/\(cid)",
            cpuset: "/", mems: "0", memcg: Self.memsw))
        #expect(a.kills.count > 1 && a.kills[1].owner == .pod(PodRef(podUID: podUID, qos: .burstable, containerID: cid, runtime: .unknown)))
        #expect(a.kills.count > 1 && a.kills[1].limitOwner == .pod(PodRef(podUID: podUID, qos: .burstable)))

        let weird = ProcessName(bytes: Array("bad".utf8) + [0xFF, 0xFE] + Array("(x) y".utf8))
        let scope = "\(t)/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod10d16a28_60ff_475f_a631_510d9792219f.slice/cri-containerd-178ec18073cc6ac7be2de8d9869daf162a6349dd056b6535849112c53ec3102a.scope"
        expectSame(a.kills.count > 2 ? a.kills[2] : nil, expectedKill(
            boot: boot, mono: 1_073_543_523, context: .memoryCgroup,
            trigger: .init(comm: weird, gfpMask: "0xcc0", gfpFlags: "GFP_KERNEL", order: 0, oomScoreAdj: 0),
            victim: .init(pid: 19068, comm: weird, uid: 0, totalVmKB: 35372, anonRssKB: 32640, fileRssKB: 996, shmemRssKB: 0, pgtablesKB: 108, oomScoreAdj: 0),
            constraint: .memcg, limit: scope, task: scope, cpuset: "/", mems: "0",
            memcg: .init(usageKB: 32768, limitKB: 32768, failcnt: 19, swapUsageKB: 32768, swapLimitKB: 9_007_199_254_740_988, swapFailcnt: 0)))
        #expect(a.kills.count > 2 && a.kills[2].victim.comm.display == "bad\\xff\\xfe(x) y")
        #expect(a.kills.count > 2 && a.kills[2].owner == .pod(PodRef(
            podUID: "10d16a28-60ff-475f-a631-510d9792219f", qos: .besteffort,
            containerID: "178ec18073cc6ac7be2de8d9869daf162a6349dd056b6535849112c53ec3102a", runtime: .containerd)))
    }

    @Test("6.18 real kills from dmesg (memcg v1; unit, cgroupfs pod, systemd pod; non-UTF-8 comm)")
    func real618Dmesg() throws {
        let a = analyze(bytes: try fixture("real-6.18-dmesg.txt"))
        #expect(a.format == .dmesg)
        checkReal618(a)
    }

    @Test("6.18 real kills from /dev/kmsg records")
    func real618Kmsg() throws {
        let a = analyze(bytes: try fixture("real-6.18-kmsg.txt"))
        #expect(a.format == .kmsg)
        checkReal618(a)
    }

    // MARK: 3.10 / CentOS 7

    @Test("3.10 CentOS 7 (k8s#56891, dmesg -T): headless record with child victim, then a cut-off header")
    func centos7CutOff() {
        // Real lines, kubernetes/kubernetes#56891 (3.10.0-327.4.5.el7).
        let text = """
        [Thu Dec  7 00:05:14 2017] Memory cgroup stats for /kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b: cache:32KB rss:524188KB rss_huge:370688KB mapped_file:0KB swap:524356KB inactive_anon:267804KB active_anon:256384KB inactive_file:12KB active_file:4KB unevictable:0KB
        [Thu Dec  7 00:05:15 2017] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name
        [Thu Dec  7 00:05:15 2017] [28438]     0 28438  5063909   119961    1661   136409          -998 java
        [Thu Dec  7 00:05:15 2017] Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child
        [Thu Dec  7 00:05:15 2017] Killed process 28438 (java) total-vm:20255636kB, anon-rss:466160kB, file-rss:13684kB
        [Thu Dec  7 00:13:22 2017] java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=-998
        [Thu Dec  7 00:13:22 2017] java cpuset=1e479e759020fa0b6c72def90973540a2d33982fea2ad67a96373b4da751a820 mems_allowed=0
        [Thu Dec  7 00:13:22 2017] CPU: 9 PID: 14881 Comm: java Tainted: G    B          ------------ T 3.10.0-327.4.5.el7.x86_64 #1
        [Thu Dec  7 00:13:22 2017] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS rel-1.8.2-0-g33fbe13 by qemu-project.org 04/01/2014
        """
        let a = analyze(text)
        #expect(a.format == .dmesgHuman)
        #expect(a.kills.count == 1)
        #expect(a.assemblerCounters.reportsWithoutKill == 1)
        #expect(a.assemblerCounters.killsWithoutHeader == 1)
        expectSame(a.kills.first, expectedKill(
            realtime: 1_512_605_115_000_000, context: .none,
            victim: .init(pid: 28438, comm: "java", totalVmKB: 20_255_636, anonRssKB: 466_160, fileRssKB: 13684),
            constraint: .memcg, candidate: .init(pid: 24572, comm: "java", score: 0)))
        #expect(a.kills.first?.owner == .unknown(""))
    }

    @Test("3.10 CentOS 7 (kubeasz#556, syslog): Task in / memory lines / candidate")
    func centos7Memcg() {
        // Task in, memory*, kmem, stats, task dump, Kill process: real (easzlab/kubeasz#556);
        // invoked, cpuset and Killed process constructed in the 3.10 format.
        let text = """
        May 15 17:05:42 qh-billsrm kernel: exe invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=-999
        May 15 17:05:42 qh-billsrm kernel: exe cpuset=56f14365daad5b7ea9d7960ec1ddf31777941d7ce80221d373668ca637fdf6fa mems_allowed=0
        May 15 17:05:42 qh-billsrm kernel: Task in /kubepods/pod5e3c4bcb-760b-11e9-bcb4-5c260afbd27c/56f14365daad5b7ea9d7960ec1ddf31777941d7ce80221d373668ca637fdf6fa killed as a result of limit of /kubepods/pod5e3c4bcb-760b-11e9-bcb4-5c260afbd27c
        May 15 17:05:42 qh-billsrm kernel: memory: usage 51200kB, limit 51200kB, failcnt 840635
        May 15 17:05:42 qh-billsrm kernel: memory+swap: usage 51200kB, limit 9007199254740988kB, failcnt 0
        May 15 17:05:42 qh-billsrm kernel: kmem: usage 51196kB, limit 9007199254740988kB, failcnt 0
        May 15 17:05:42 qh-billsrm kernel: Memory cgroup stats for /kubepods/pod5e3c4bcb-760b-11e9-bcb4-5c260afbd27c: cache:4KB rss:0KB rss_huge:0KB mapped_file:0KB swap:0KB inactive_anon:0KB active_anon:4KB inactive_file:0KB active_file:0KB unevictable:0KB
        May 15 17:05:42 qh-billsrm kernel: [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name
        May 15 17:05:42 qh-billsrm kernel: [ 1841]     0  1841     1637       65       7        0          -999 exe
        May 15 17:05:42 qh-billsrm kernel: Memory cgroup out of memory: Kill process 1841 (exe) score 0 or sacrifice child
        May 15 17:05:42 qh-billsrm kernel: Killed process 1841 (exe) total-vm:6548kB, anon-rss:172kB, file-rss:88kB
        """
        let a = analyze(text, year: 2019)
        #expect(a.format == .syslog)
        #expect(a.kills.count == 1)
        let pod = "/kubepods/pod5e3c4bcb-760b-11e9-bcb4-5c260afbd27c"
        let cid = "56f14365daad5b7ea9d7960ec1ddf31777941d7ce80221d373668ca637fdf6fa"
        expectSame(a.kills.first, expectedKill(
            realtime: 1_557_939_942_000_000, context: .none,
            trigger: .init(comm: "exe", gfpMask: "0xd0", order: 0, oomScoreAdj: -999),
            victim: .init(pid: 1841, comm: "exe", totalVmKB: 6548, anonRssKB: 172, fileRssKB: 88, score: 0),
            constraint: .memcg, limit: pod, task: "\(pod)/\(cid)", cpuset: cid, mems: "0",
            memcg: .init(usageKB: 51200, limitKB: 51200, failcnt: 840_635, swapUsageKB: 51200, swapLimitKB: 9_007_199_254_740_988, swapFailcnt: 0),
            candidate: .init(pid: 1841, comm: "exe", score: 0)))
        #expect(a.kills.first?.owner == .pod(PodRef(podUID: "5e3c4bcb-760b-11e9-bcb4-5c260afbd27c", qos: .guaranteed, containerID: cid, runtime: .unknown)))
        #expect(a.kills.first?.limitOwner == .pod(PodRef(podUID: "5e3c4bcb-760b-11e9-bcb4-5c260afbd27c", qos: .guaranteed)))
    }

    @Test("RHEL 7 global OOM (dmesg): `in:imjournal` trigger, `, UID 0,` kill lines, two records")
    func rhel7Global() {
        // Real dmesg lines (public blog); stack lines trimmed.
        let text = """
        [87068.056478] in:imjournal invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0
        [87068.060698]  [<ffffffffa49cd3c5>] oom_kill_process+0x2d5/0x4a0
        [87068.061095]  [<ffffffffa49ccd8d>] ? oom_unkillable_task+0xcd/0x120
        [87068.132781] Out of memory: Kill process 1705 (freeswitch) score 482 or sacrifice child
        [87068.133635] Killed process 1705 (freeswitch), UID 0, total-vm:3770896kB, anon-rss:1925484kB, file-rss:0kB, shmem-rss:0kB
        [87068.140076] in:imjournal invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0
        [87068.147021]  [<ffffffffa49cd3c5>] oom_kill_process+0x2d5/0x4a0
        [87068.147658]  [<ffffffffa49ccd8d>] ? oom_unkillable_task+0xcd/0x120
        [87068.236909] Out of memory: Kill process 1727 (freeswitch) score 483 or sacrifice child
        [87068.237622] Killed process 1727 (freeswitch), UID 0, total-vm:3770896kB, anon-rss:1928716kB, file-rss:0kB, shmem-rss:0kB
        """
        let a = analyze(text)
        #expect(a.kills.count == 2)
        let trig = OOMKill.Trigger(comm: "in:imjournal", gfpMask: "0x201da", order: 0, oomScoreAdj: 0)
        expectSame(a.kills.first, expectedKill(
            mono: 87_068_133_635, context: .none, trigger: trig,
            victim: .init(pid: 1705, comm: "freeswitch", uid: 0, totalVmKB: 3_770_896, anonRssKB: 1_925_484, fileRssKB: 0, shmemRssKB: 0, score: 482),
            constraint: .global, candidate: .init(pid: 1705, comm: "freeswitch", score: 482)))
        expectSame(a.kills.last, expectedKill(
            mono: 87_068_237_622, context: .none, trigger: trig,
            victim: .init(pid: 1727, comm: "freeswitch", uid: 0, totalVmKB: 3_770_896, anonRssKB: 1_928_716, fileRssKB: 0, shmemRssKB: 0, score: 483),
            constraint: .global, candidate: .init(pid: 1727, comm: "freeswitch", score: 483)))
    }

    @Test("RHEL 7 memcg (doris#3525, syslog): candidate ≠ victim, non-kernel line skipped")
    func rhel7Memcg() {
        let text = """
        May  8 14:05:27 doris-03 kernel: Memory cgroup out of memory: Kill process 24984 (palo_be) score 968 or sacrifice child
        May  8 14:05:27 doris-03 kernel: Killed process 18177 (palo_be), UID 0, total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB
        May  8 14:05:34 doris-03 containerd: time="2020-05-08T14:05:34.745916919+08:00" level=info msg="shim reaped" id=d9b0a9bd41d3f1ecf4efe4bdec0728cc0f1cbbeb310bceeff370ad83aeb955a3
        May  8 14:05:34 doris-03 dockerd: Killed process 1 (fake), UID 0, total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB
        """
        let a = analyze(text, year: 2020)
        #expect(a.kills.count == 1)
        #expect(a.decoderCounters.nonKernelSkipped == 2)
        expectSame(a.kills.first, expectedKill(
            realtime: 1_588_946_727_000_000, context: .none,
            victim: .init(pid: 18177, comm: "palo_be", uid: 0, totalVmKB: 70_347_780, anonRssKB: 45_563_572, fileRssKB: 0, shmemRssKB: 0),
            constraint: .memcg, candidate: .init(pid: 24984, comm: "palo_be", score: 968)))
    }

    // MARK: 4.x

    @Test("4.4 (constructed from v4.4 formats): no gfp flags, no shmem-rss")
    func gen44() {
        let text = """
        [ 5843.120001] java invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=994
        [ 5843.120005] java cpuset=4a1f6b0e7c2d mems_allowed=0
        [ 5843.120010] CPU: 1 PID: 2811 Comm: java Not tainted 4.4.0-116-generic #140-Ubuntu
        [ 5843.120100] Task in /kubepods/besteffort/podd2a4c3b1-1a2b-11e8-9c2d-42010a800002/4a1f6b0e7c2d killed as a result of limit of /kubepods/besteffort/podd2a4c3b1-1a2b-11e8-9c2d-42010a800002
        [ 5843.120105] memory: usage 262144kB, limit 262144kB, failcnt 1042
        [ 5843.120107] memory+swap: usage 0kB, limit 9007199254740988kB, failcnt 0
        [ 5843.120110] kmem: usage 2048kB, limit 9007199254740988kB, failcnt 0
        [ 5843.120300] Memory cgroup out of memory: Kill process 2811 (java) score 1994 or sacrifice child
        [ 5843.120420] Killed process 2811 (java) total-vm:2871256kB, anon-rss:258004kB, file-rss:15872kB
        """
        let a = analyze(text)
        #expect(a.kills.count == 1)
        let pod = "/kubepods/besteffort/podd2a4c3b1-1a2b-11e8-9c2d-42010a800002"
        expectSame(a.kills.first, expectedKill(
            mono: 5_843_120_420, context: .none,
            trigger: .init(comm: "java", gfpMask: "0x24000c0", order: 0, oomScoreAdj: 994),
            victim: .init(pid: 2811, comm: "java", totalVmKB: 2_871_256, anonRssKB: 258_004, fileRssKB: 15872, score: 1994),
            constraint: .memcg, limit: pod, task: "\(pod)/4a1f6b0e7c2d", cpuset: "4a1f6b0e7c2d", mems: "0",
            memcg: .init(usageKB: 262_144, limitKB: 262_144, failcnt: 1042, swapUsageKB: 0, swapLimitKB: 9_007_199_254_740_988, swapFailcnt: 0),
            candidate: .init(pid: 2811, comm: "java", score: 1994)))
        #expect(a.kills.first?.owner == .pod(PodRef(podUID: "d2a4c3b1-1a2b-11e8-9c2d-42010a800002", qos: .besteffort, containerID: "4a1f6b0e7c2d", runtime: .unknown)))
    }

    @Test("4.13/4.14: nodemask in header (double space), cpuset line, shmem-rss, oom_reaper")
    func gen414() {
        // invoked + cpuset lines real (jetstack/navigator#297, trailing spaces as in the source); rest constructed.
        let text = """
        [ 1573.878353] cp invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null),  order=0, oom_score_adj=-998     \u{20}
        [ 1573.878357] cp cpuset=ec391272ec599d14b9d3ad22e7b3d37b4e3047eef9ea796e239861e0c209a763 mems_allowed=0   \u{20}
        [ 1573.878363] CPU: 2 PID: 4289 Comm: cp Not tainted 4.13.0-36-generic #40-Ubuntu
        [ 1573.878500] Task in /kubepods/podaa7b3c9e-2a8c-11e8-8b2e-42010a9a0fc4/ec391272ec599d14b9d3ad22e7b3d37b4e3047eef9ea796e239861e0c209a763 killed as a result of limit of /kubepods/podaa7b3c9e-2a8c-11e8-8b2e-42010a9a0fc4/ec391272ec599d14b9d3ad22e7b3d37b4e3047eef9ea796e239861e0c209a763
        [ 1573.878510] memory: usage 10240kB, limit 10240kB, failcnt 71
        [ 1573.878690] Memory cgroup out of memory: Kill process 4289 (cp) score 0 or sacrifice child
        [ 1573.878775] Killed process 4289 (cp) total-vm:6248kB, anon-rss:92kB, file-rss:1520kB, shmem-rss:0kB
        [ 1573.879331] oom_reaper: reaped process 4289 (cp), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
        """
        let a = analyze(text)
        #expect(a.kills.count == 1)
        let c = "/kubepods/podaa7b3c9e-2a8c-11e8-8b2e-42010a9a0fc4/ec391272ec599d14b9d3ad22e7b3d37b4e3047eef9ea796e239861e0c209a763"
        expectSame(a.kills.first, expectedKill(
            mono: 1_573_878_775, context: .none,
            trigger: .init(comm: "cp", gfpMask: "0x14000c0", gfpFlags: "GFP_KERNEL", order: 0, oomScoreAdj: -998),
            victim: .init(pid: 4289, comm: "cp", totalVmKB: 6248, anonRssKB: 92, fileRssKB: 1520, shmemRssKB: 0, score: 0),
            constraint: .memcg, limit: c, task: c, cpuset: "ec391272ec599d14b9d3ad22e7b3d37b4e3047eef9ea796e239861e0c209a763", mems: "0",
            memcg: .init(usageKB: 10240, limitKB: 10240, failcnt: 71),
            candidate: .init(pid: 4289, comm: "cp", score: 0), reaped: .init(anonRssKB: 0, fileRssKB: 0, shmemRssKB: 0)))
    }

    @Test("4.19 (moby#38352 header): nodemask in header, Docker cgroup")
    func gen419() {
        let text = """
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: thrash invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=0
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: thrash cpuset=cc6b369add7d52448ae406800daa01f4836195e51190d9ee922fd685446f8368 mems_allowed=0-1
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: CPU: 40 PID: 32276 Comm: thrash Not tainted 4.19.4-1.el7.elrepo.x86_64 #1
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: Task in /docker/cc6b369add7d52448ae406800daa01f4836195e51190d9ee922fd685446f8368 killed as a result of limit of /docker/cc6b369add7d52448ae406800daa01f4836195e51190d9ee922fd685446f8368
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: memory: usage 1048576kB, limit 1048576kB, failcnt 30
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: memory+swap: usage 2097152kB, limit 2097152kB, failcnt 2
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: Memory cgroup out of memory: Kill process 32276 (thrash) score 1002 or sacrifice child
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: Killed process 32276 (thrash) total-vm:2100024kB, anon-rss:1046848kB, file-rss:1212kB, shmem-rss:0kB
        Dec 11 10:49:37 fkhan-test-kernelv4 kernel: oom_reaper: reaped process 32276 (thrash), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
        """
        let a = analyze(text, year: 2019)
        #expect(a.kills.count == 1)
        let d = "/docker/cc6b369add7d52448ae406800daa01f4836195e51190d9ee922fd685446f8368"
        expectSame(a.kills.first, expectedKill(
            realtime: 1_576_061_377_000_000, context: .none,
            trigger: .init(comm: "thrash", gfpMask: "0x6000c0", gfpFlags: "GFP_KERNEL", order: 0, oomScoreAdj: 0),
            victim: .init(pid: 32276, comm: "thrash", totalVmKB: 2_100_024, anonRssKB: 1_046_848, fileRssKB: 1212, shmemRssKB: 0, score: 1002),
            constraint: .memcg, limit: d, task: d, cpuset: "cc6b369add7d52448ae406800daa01f4836195e51190d9ee922fd685446f8368", mems: "0-1",
            memcg: .init(usageKB: 1_048_576, limitKB: 1_048_576, failcnt: 30, swapUsageKB: 2_097_152, swapLimitKB: 2_097_152, swapFailcnt: 2),
            candidate: .init(pid: 32276, comm: "thrash", score: 1002), reaped: .init(anonRssKB: 0, fileRssKB: 0, shmemRssKB: 0)))
        #expect(a.kills.first?.owner == .unknown(d))
    }

    // MARK: 5.x / 6.x

    @Test("5.4 (eks-ami#419): oom_memcg summary, kubelet.service victim, reaper; next header cut off")
    func gen54() {
        let text = """
        [  147.358790] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/podruntime.slice,task_memcg=/podruntime.slice/kubelet.service,task=kubelet,pid=989,uid=0
        [  147.377885] Memory cgroup out of memory: Killed process 989 (kubelet) total-vm:856872kB, anon-rss:49600kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:464kB oom_score_adj:-999
        [  147.401644] oom_reaper: reaped process 989 (kubelet), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
        [  147.436439] audit: type=1325 audit(1583448728.949:176): table=filter family=2 entries=31
        [  147.754026] exe invoked oom-killer: gfp_mask=0xc40(GFP_NOFS), order=0, oom_score_adj=-999
        [  147.765432] CPU: 0 PID: 2052 Comm: exe Not tainted 5.4.17-200.fc31.x86_64 #1
        [  147.772575] Hardware name: Amazon EC2 t3.small/, BIOS 1.0 10/16/2017
        """
        let a = analyze(text)
        #expect(a.kills.count == 1)
        #expect(a.assemblerCounters.reportsWithoutKill == 1)
        expectSame(a.kills.first, expectedKill(
            mono: 147_377_885, context: .memoryCgroup,
            victim: .init(pid: 989, comm: "kubelet", uid: 0, totalVmKB: 856_872, anonRssKB: 49600, fileRssKB: 0, shmemRssKB: 0, pgtablesKB: 464, oomScoreAdj: -999),
            constraint: .memcg, limit: "/podruntime.slice", task: "/podruntime.slice/kubelet.service", cpuset: "/", mems: "0",
            reaped: .init(anonRssKB: 0, fileRssKB: 0, shmemRssKB: 0)))
        #expect(a.kills.first?.owner == .systemdUnit(slice: "podruntime.slice", unit: "kubelet.service"))
        #expect(a.kills.first?.limitOwner == .slice("podruntime.slice"))
    }

    @Test("5.x global_oom (syslog): system.slice victim, udev trigger")
    func gen5GlobalOOM() {
        let text = """
        Aug 19 11:26:04 news-hive kernel: systemd-udevd invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=-1000
        Aug 19 11:26:09 news-hive kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=systemd-udevd.service,mems_allowed=0,global_oom,task_memcg=/system.slice/newshive.service,task=uvicorn,pid=1306511,uid=1001
        Aug 19 11:26:09 news-hive kernel: Out of memory: Killed process 1306511 (uvicorn) total-vm:3392864kB, anon-rss:595900kB, file-rss:392kB, shmem-rss:0kB, UID:1001 pgtables:5452kB oom_score_adj:0
        Aug 19 11:26:09 news-hive kernel: oom_reaper: reaped process 1306511 (uvicorn), now anon-rss:168kB, file-rss:244kB, shmem-rss:0kB
        Aug 19 11:26:06 news-hive systemd[1]: newshive.service: Main process exited, code=killed, status=9/KILL
        """
        let a = analyze(text, year: 2025)
        #expect(a.kills.count == 1)
        expectSame(a.kills.first, expectedKill(
            realtime: 1_755_602_769_000_000, context: .global,
            trigger: .init(comm: "systemd-udevd", gfpMask: "0x140cca", gfpFlags: "GFP_HIGHUSER_MOVABLE|__GFP_COMP", order: 0, oomScoreAdj: -1000),
            victim: .init(pid: 1_306_511, comm: "uvicorn", uid: 1001, totalVmKB: 3_392_864, anonRssKB: 595_900, fileRssKB: 392, shmemRssKB: 0, pgtablesKB: 5452, oomScoreAdj: 0),
            constraint: .global, task: "/system.slice/newshive.service", cpuset: "systemd-udevd.service", mems: "0",
            reaped: .init(anonRssKB: 168, fileRssKB: 244, shmemRssKB: 0)))
        #expect(a.kills.first?.owner == .systemdUnit(slice: "system.slice", unit: "newshive.service"))
        #expect(a.kills.first?.limitOwner == nil)
    }

    @Test("6.1 (rpi#5395 header): global OOM, user session scope, short-iso journal")
    func gen61() {
        let text = """
        2023-03-14T22:45:04+0000 cork kernel: find invoked oom-killer: gfp_mask=0xcd0(GFP_KERNEL|__GFP_RECLAIMABLE), order=0, oom_score_adj=0
        2023-03-14T22:45:04+0000 cork kernel: CPU: 0 PID: 17513 Comm: find Tainted: G         C         6.1.16-3-rpi-ARCH #1
        2023-03-14T22:45:04+0000 cork kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/session-3.scope,task=find,pid=17513,uid=1000
        2023-03-14T22:45:04.250000+00:00 cork kernel: Out of memory: Killed process 17513 (find) total-vm:9880kB, anon-rss:2284kB, file-rss:1024kB, shmem-rss:0kB, UID:1000 pgtables:28kB oom_score_adj:0
        """
        let a = analyze(text)
        #expect(a.format == .syslogISO)
        #expect(a.kills.count == 1)
        expectSame(a.kills.first, expectedKill(
            realtime: 1_678_833_904_250_000, context: .global,
            trigger: .init(comm: "find", gfpMask: "0xcd0", gfpFlags: "GFP_KERNEL|__GFP_RECLAIMABLE", order: 0, oomScoreAdj: 0),
            victim: .init(pid: 17513, comm: "find", uid: 1000, totalVmKB: 9880, anonRssKB: 2284, fileRssKB: 1024, shmemRssKB: 0, pgtablesKB: 28, oomScoreAdj: 0),
            constraint: .global, task: "/user.slice/user-1000.slice/session-3.scope", cpuset: "/", mems: "0"))
        #expect(a.kills.first?.owner == .systemdUnit(slice: "user-1000.slice", unit: "session-3.scope"))
    }

    @Test("cpuset and mempolicy constraints (constructed from 6.x oom_kill.c formats): node-wide context, no limit cgroup")
    func cpusetAndMemoryPolicyConstraints() {
        // dmesg of a task confined by cpuset.mems to node 1, then an mbind()-bound task; both are
        // "Out of memory" kills with the constraint in the summary and no oom_memcg.
        let text = """
        [81234.500001] java invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0
        [81234.500210] oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=numa1,mems_allowed=1,task_memcg=/system.slice/java-batch.service,task=java,pid=40417,uid=1001
        [81234.500380] Out of memory: Killed process 40417 (java) total-vm:8388608kB, anon-rss:4194304kB, file-rss:2048kB, shmem-rss:0kB, UID:1001 pgtables:8400kB oom_score_adj:0
        [81240.100001] numactl-bench invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=500
        [81240.100220] oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=0,cpuset=/,mems_allowed=0-1,task_memcg=/kubepods/besteffort/pod0b7c4a52-9d3e-4f61-8a2b-6c5d4e3f2a10/4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0,task=numactl-bench,pid=40533,uid=0
        [81240.100390] Out of memory: Killed process 40533 (numactl-bench) total-vm:2097152kB, anon-rss:1048576kB, file-rss:512kB, shmem-rss:0kB, UID:0 pgtables:2100kB oom_score_adj:500
        """
        let a = analyze(text)
        #expect(a.format == .dmesg)
        #expect(a.kills.count == 2)
        expectSame(a.kills.first, expectedKill(
            mono: 81_234_500_380, context: .global,
            trigger: .init(comm: "java", gfpMask: "0x140dca", gfpFlags: "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO", order: 0, oomScoreAdj: 0),
            victim: .init(pid: 40417, comm: "java", uid: 1001, totalVmKB: 8_388_608, anonRssKB: 4_194_304, fileRssKB: 2048, shmemRssKB: 0, pgtablesKB: 8400, oomScoreAdj: 0),
            constraint: .cpuset, task: "/system.slice/java-batch.service", cpuset: "numa1", mems: "1"))
        #expect(a.kills.first?.owner == .systemdUnit(slice: "system.slice", unit: "java-batch.service"))
        #expect(a.kills.first?.limitOwner == nil)
        let podUID = "0b7c4a52-9d3e-4f61-8a2b-6c5d4e3f2a10"
        let cid = "4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"
        expectSame(a.kills.count > 1 ? a.kills[1] : nil, expectedKill(
            mono: 81_240_100_390, context: .global,
            trigger: .init(comm: "numactl-bench", gfpMask: "0x100cca", gfpFlags: "GFP_HIGHUSER_MOVABLE", order: 0, oomScoreAdj: 500),
            victim: .init(pid: 40533, comm: "numactl-bench", uid: 0, totalVmKB: 2_097_152, anonRssKB: 1_048_576, fileRssKB: 512, shmemRssKB: 0, pgtablesKB: 2100, oomScoreAdj: 500),
            constraint: .memoryPolicy, task: "/kubepods/besteffort/pod\(podUID)/\(cid)", cpuset: "/", mems: "0-1"))
        #expect(a.kills.count > 1 && a.kills[1].owner == .pod(PodRef(podUID: podUID, qos: .besteffort, containerID: cid, runtime: .unknown)))
    }

    @Test("the pod sandbox: a pause victim in a container scope is marked as the sandbox (6.x formats)")
    func pauseVictimIsTheSandbox() {
        let scope = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7d2e4f10_1c3b_4a5d_9e8f_0a1b2c3d4e5f.slice/cri-containerd-9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3b4a5968778695a4b3c2d1e0f.scope"
        let text = """
        [ 9120.000100] pause invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=-998
        [ 9120.000300] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7d2e4f10_1c3b_4a5d_9e8f_0a1b2c3d4e5f.slice,task_memcg=\(scope),task=pause,pid=3120,uid=65535
        [ 9120.000400] Memory cgroup out of memory: Killed process 3120 (pause) total-vm:996kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, UID:65535 pgtables:40kB oom_score_adj:-998
        """
        let a = analyze(text)
        #expect(a.kills.count == 1)
        guard case .pod(let pod)? = a.kills.first?.owner else {
            Issue.record("owner is not a pod: \(String(describing: a.kills.first?.owner))")
            return
        }
        #expect(pod.isSandbox)
        #expect(pod.runtime == .containerd && pod.qos == .burstable && pod.podUID == "7d2e4f10-1c3b-4a5d-9e8f-0a1b2c3d4e5f")
        #expect(a.kills.first?.owner.displayName == "pod 7d2e4f10-1c3b-4a5d-9e8f-0a1b2c3d4e5f (burstable) sandbox 9a8b7c6d5e4f")
        #expect(OwnerLabels(a.kills[0].owner).container == "POD")
        // An app container's victim is not the sandbox.
        let app = analyze(text.replacingOccurrences(of: "(pause)", with: "(nginx)"))
        if case .pod(let appPod)? = app.kills.first?.owner { #expect(!appPod.isSandbox) } else { Issue.record("app kill not a pod") }
    }

    @Test("a nested node keeps only the kills in its cgroup hierarchy; a kill without cgroups is kept")
    func killsWithinAHierarchyPrefix() throws {
        let a = analyze(bytes: try fixture("real-6.18-dmesg.txt"))
        #expect(a.kills.count == 3)
        #expect(a.kills.allSatisfy { $0.isWithin(hierarchyPrefix: "") })
        #expect(a.kills.allSatisfy { $0.isWithin(hierarchyPrefix: "/oomwatch-test-3391") })
        #expect(a.kills.allSatisfy { $0.isWithin(hierarchyPrefix: "/oomwatch-test-3391/") })
        #expect(a.kills.allSatisfy { $0.isWithin(hierarchyPrefix: "oomwatch-test-3391") }, "written without the leading slash, as the sampler accepts it")
        #expect(!a.kills.contains { $0.isWithin(hierarchyPrefix: "/oomwatch-test-339") }, "a sibling whose name starts the same is not inside")
        #expect(!a.kills.contains { $0.isWithin(hierarchyPrefix: "/kind-worker2") })
        var bare = a.kills[0]
        bare.taskCgroup = nil
        bare.limitCgroup = nil
        #expect(bare.isWithin(hierarchyPrefix: "/kind-worker2"), "no cgroup printed: cannot be placed, kept")
    }

    // MARK: memory.oom.group

    @Test("oom.group (cgroupfs, real): cut summary, victim printed twice → one kill per member")
    func oomGroupCgroupfs() {
        let text = """
        [ 3457.652054] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=ce874473016f653bd23ffc32aa15c8495bb82b01e853120a3a9b4517aab368ce,mems_allowed=0,global_oom,task_memcg=/kubepods/burstable/pod3902af1e-8c>
        [ 3457.652078] Out of memory: Killed process 10843 (prometheus-conf) total-vm:719984kB, anon-rss:5064kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:108kB oom_score_adj:997
        [ 3457.652105] Tasks in /kubepods/burstable/pod3902af1e-8ce1-42e1-a2a5-dc04f4240c4f/ed9dcd836d0c7e3e379b2387ef5e15e70f1c932dbce0fce685606bb2f4d62036 are going to be killed due to memory.oom.group set
        [ 3457.652109] Out of memory: Killed process 10843 (prometheus-conf) total-vm:719984kB, anon-rss:5064kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:108kB oom_score_adj:997
        [ 3457.652190] Out of memory: Killed process 10901 (sh) total-vm:1600kB, anon-rss:80kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:40kB oom_score_adj:997
        """
        let a = analyze(text)
        #expect(a.kills.count == 2)
        #expect(a.assemblerCounters.duplicateKillLines == 1)
        let g = "/kubepods/burstable/pod3902af1e-8ce1-42e1-a2a5-dc04f4240c4f/ed9dcd836d0c7e3e379b2387ef5e15e70f1c932dbce0fce685606bb2f4d62036"
        var first = expectedKill(
            mono: 3_457_652_078, context: .global,
            victim: .init(pid: 10843, comm: "prometheus-conf", uid: 1000, totalVmKB: 719_984, anonRssKB: 5064, fileRssKB: 0, shmemRssKB: 0, pgtablesKB: 108, oomScoreAdj: 997),
            constraint: .global, task: "/kubepods/burstable/pod3902af1e-8c>",
            cpuset: "ce874473016f653bd23ffc32aa15c8495bb82b01e853120a3a9b4517aab368ce", mems: "0", group: g)
        first.resolveOwners()
        expectSame(a.kills.first, first)
        // the cut summary leaves a partial pod uid; the group cgroup is not used because task_memcg exists
        #expect(a.kills.first?.owner == .pod(PodRef(podUID: "3902af1e-8c>", qos: .burstable)))
        expectSame(a.kills.last, expectedKill(
            mono: 3_457_652_190, context: .global,
            victim: .init(pid: 10901, comm: "sh", uid: 1000, totalVmKB: 1600, anonRssKB: 80, fileRssKB: 0, shmemRssKB: 0, pgtablesKB: 40, oomScoreAdj: 997),
            constraint: .global, cpuset: "ce874473016f653bd23ffc32aa15c8495bb82b01e853120a3a9b4517aab368ce", mems: "0", group: g))
        #expect(a.kills.last?.owner == .pod(PodRef(podUID: "3902af1e-8ce1-42e1-a2a5-dc04f4240c4f", qos: .burstable,
                                                    containerID: "ed9dcd836d0c7e3e379b2387ef5e15e70f1c932dbce0fce685606bb2f4d62036", runtime: .unknown)))
    }

    @Test("oom.group (systemd driver, AKS syslog with kernel stamps)")
    func oomGroupSystemd() {
        let scope = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod10d16a28_60ff_475f_a631_510d9792219f.slice/cri-containerd-178ec18073cc6ac7be2de8d9869daf162a6349dd056b6535849112c53ec3102a.scope"
        let text = """
        Jun 24 18:49:43 aks-nodepool1-31060421-vmss000002 kernel: [ 8341.890601] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-178ec18073cc6ac7be2de8d9869daf162a6349dd056b6535849112c53ec3102a.scope,mems_allowed=0,oom_memcg=\(scope),task_memcg=\(scope),task=stress,pid=68061,uid=0
        Jun 24 18:49:43 aks-nodepool1-31060421-vmss000002 kernel: [ 8341.890658] Memory cgroup out of memory: Killed process 68061 (stress) total-vm:4195088kB, anon-rss:2884696kB, file-rss:288kB, shmem-rss:0kB, UID:0 pgtables:5696kB oom_score_adj:992
        Jun 24 18:49:43 aks-nodepool1-31060421-vmss000002 kernel: [ 8341.890700] Tasks in \(scope) are going to be killed due to memory.oom.group set
        Jun 24 18:49:43 aks-nodepool1-31060421-vmss000002 kernel: [ 8341.890712] Memory cgroup out of memory: Killed process 68061 (stress) total-vm:4195088kB, anon-rss:2884696kB, file-rss:288kB, shmem-rss:0kB, UID:0 pgtables:5696kB oom_score_adj:992
        Jun 24 18:49:43 aks-nodepool1-31060421-vmss000002 kernel: [ 8341.890760] Memory cgroup out of memory: Killed process 68040 (sh) total-vm:2580kB, anon-rss:96kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:44kB oom_score_adj:992
        """
        let a = analyze(text, year: 2024)
        #expect(a.kills.count == 2)
        let cpuset = "cri-containerd-178ec18073cc6ac7be2de8d9869daf162a6349dd056b6535849112c53ec3102a.scope"
        expectSame(a.kills.first, expectedKill(
            realtime: 1_719_254_983_000_000, mono: 8_341_890_658, context: .memoryCgroup,
            victim: .init(pid: 68061, comm: "stress", uid: 0, totalVmKB: 4_195_088, anonRssKB: 2_884_696, fileRssKB: 288, shmemRssKB: 0, pgtablesKB: 5696, oomScoreAdj: 992),
            constraint: .memcg, limit: scope, task: scope, cpuset: cpuset, mems: "0", group: scope))
        expectSame(a.kills.last, expectedKill(
            realtime: 1_719_254_983_000_000, mono: 8_341_890_760, context: .memoryCgroup,
            victim: .init(pid: 68040, comm: "sh", uid: 0, totalVmKB: 2580, anonRssKB: 96, fileRssKB: 0, shmemRssKB: 0, pgtablesKB: 44, oomScoreAdj: 992),
            constraint: .memcg, limit: scope, cpuset: cpuset, mems: "0", group: scope))
        let pod = PodRef(podUID: "10d16a28-60ff-475f-a631-510d9792219f", qos: .burstable,
                         containerID: "178ec18073cc6ac7be2de8d9869daf162a6349dd056b6535849112c53ec3102a", runtime: .containerd)
        #expect(a.kills.first?.owner == .pod(pod))
        #expect(a.kills.last?.owner == .pod(pod))
    }

    // MARK: special cases

    @Test("already exiting: skipped victim reported, kills around it kept (dmesg -T)")
    func alreadyExiting() {
        let text = """
        [Tue Mar 11 10:16:36 2025] Memory cgroup out of memory: Killed process 3804876 (stress) total-vm:13632272kB, anon-rss:896808kB, file-rss:264kB, shmem-rss:0kB, UID:0 pgtables:1796kB oom_score_adj:-997
        [Tue Mar 11 10:16:36 2025] Memory cgroup out of memory: OOM victim 3804877 (stress) is already exiting. Skip killing the task
        [Tue Mar 11 10:16:36 2025] Memory cgroup out of memory: OOM victim 3804878 (stress) is already exiting. Skip killing the task
        [Tue Mar 11 10:16:36 2025] Memory cgroup out of memory: Killed process 3804879 (stress) total-vm:13632272kB, anon-rss:1162128kB, file-rss:264kB, shmem-rss:0kB, UID:0 pgtables:2296kB oom_score_adj:-997
        """
        let a = analyze(text)
        #expect(a.kills.map(\.victim.pid) == [3_804_876, 3_804_879])
        #expect(a.skippedVictims == [
            SkippedVictim(pid: 3_804_877, comm: "stress", context: .memoryCgroup, realtimeMicros: 1_741_688_196_000_000),
            SkippedVictim(pid: 3_804_878, comm: "stress", context: .memoryCgroup, realtimeMicros: 1_741_688_196_000_000),
        ])
        expectSame(a.kills.last, expectedKill(
            realtime: 1_741_688_196_000_000, context: .memoryCgroup,
            victim: .init(pid: 3_804_879, comm: "stress", uid: 0, totalVmKB: 13_632_272, anonRssKB: 1_162_128, fileRssKB: 264, shmemRssKB: 0, pgtablesKB: 2296, oomScoreAdj: -997),
            constraint: .memcg))
    }

    @Test("already exiting consumes its header and summary (6.x)")
    func alreadyExitingWithHeader() {
        let text = """
        [  10.000000] stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
        [  10.000100] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=stress,pid=77,uid=0
        [  10.000200] Memory cgroup out of memory: OOM victim 77 (stress) is already exiting. Skip killing the task
        [  11.000000] Memory cgroup out of memory: Killed process 78 (stress) total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0
        """
        let a = analyze(text)
        #expect(a.skippedVictims == [SkippedVictim(
            pid: 77, comm: "stress", context: .memoryCgroup,
            trigger: .init(comm: "stress", gfpMask: "0xcc0", gfpFlags: "GFP_KERNEL", order: 0, oomScoreAdj: 0),
            taskCgroup: "/a/b", limitCgroup: "/a", monotonicMicros: 10_000_200)])
        #expect(a.kills.count == 1)
        expectSame(a.kills.first, expectedKill(
            mono: 11_000_000, context: .memoryCgroup,
            victim: .init(pid: 78, comm: "stress", uid: 0, totalVmKB: 10, anonRssKB: 5, fileRssKB: 1, shmemRssKB: 0, pgtablesKB: 4, oomScoreAdj: 0),
            constraint: .memcg))
    }

    @Test("OOM storm without headers (efs-csi#1218): every Killed line is one kill")
    func storm() {
        let text = """
        [18026.221140] Memory cgroup out of memory: Killed process 140339 (python3) total-vm:120832kB, anon-rss:15596kB, file-rss:8924kB, shmem-rss:0kB, UID:0 pgtables:276kB oom_score_adj:-997
        [18026.223926] Memory cgroup out of memory: Killed process 141313 (mount) total-vm:22008kB, anon-rss:164kB, file-rss:1012kB, shmem-rss:0kB, UID:0 pgtables:80kB oom_score_adj:-997
        [18026.226541] Memory cgroup out of memory: Killed process 141314 (mount) total-vm:22008kB, anon-rss:168kB, file-rss:940kB, shmem-rss:0kB, UID:0 pgtables:80kB oom_score_adj:-997
        [18026.229018] Memory cgroup out of memory: Killed process 141315 (mount) total-vm:22008kB, anon-rss:164kB, file-rss:1052kB, shmem-rss:0kB, UID:0 pgtables:88kB oom_score_adj:-997
        [18026.231376] Memory cgroup out of memory: Killed process 141316 (mount) total-vm:22008kB, anon-rss:168kB, file-rss:940kB, shmem-rss:0kB, UID:0 pgtables:84kB oom_score_adj:-997
        [18026.234146] Memory cgroup out of memory: Killed process 141317 (mount) total-vm:22008kB, anon-rss:168kB, file-rss:964kB, shmem-rss:0kB, UID:0 pgtables:84kB oom_score_adj:-997
        [18026.236707] Memory cgroup out of memory: Killed process 141320 (python3) total-vm:153376kB, anon-rss:24100kB, file-rss:9088kB, shmem-rss:0kB, UID:0 pgtables:332kB oom_score_adj:-997
        """
        let a = analyze(text)
        #expect(a.kills.map(\.victim.pid) == [140_339, 141_313, 141_314, 141_315, 141_316, 141_317, 141_320])
        #expect(a.assemblerCounters.killsWithoutHeader == 7)
        #expect(Set(a.kills.map(\.id)).count == 7)
        expectSame(a.kills.last, expectedKill(
            mono: 18_026_236_707, context: .memoryCgroup,
            victim: .init(pid: 141_320, comm: "python3", uid: 0, totalVmKB: 153_376, anonRssKB: 24100, fileRssKB: 9088, shmemRssKB: 0, pgtablesKB: 332, oomScoreAdj: -997),
            constraint: .memcg))
    }

    @Test("split oom-kill: summary (kmsg continuation fragments, value as its own record)")
    func splitSummary() {
        let text = """
        4,1034,5000000,-;stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0
        6,1143,5000100,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=
        6,1144,5000101,c;/user.slice/user-1000.slice/session-1.scope
        6,1145,5000102,c;,task=find-bytes,pid=109921,uid=1000
        3,1146,5000200,-;Out of memory: Killed process 109921 (find-bytes) total-vm:23369640kB, anon-rss:14581572kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:42684kB oom_score_adj:0
        """
        let a = analyze(text)
        #expect(a.format == .kmsg)
        #expect(a.kills.count == 1)
        #expect(a.assemblerCounters.summaryFragmentsMerged == 2)
        expectSame(a.kills.first, expectedKill(
            mono: 5_000_200, context: .global,
            trigger: .init(comm: "stress", gfpMask: "0x140cca", gfpFlags: "GFP_HIGHUSER_MOVABLE|__GFP_COMP", order: 0, oomScoreAdj: 0),
            victim: .init(pid: 109_921, comm: "find-bytes", uid: 1000, totalVmKB: 23_369_640, anonRssKB: 14_581_572, fileRssKB: 0, shmemRssKB: 0, pgtablesKB: 42684, oomScoreAdj: 0),
            constraint: .global, task: "/user.slice/user-1000.slice/session-1.scope", cpuset: "/", mems: "0"))
    }

    @Test("interleaved records of two concurrent kills are not merged")
    func interleaved() {
        let text = """
        [  147.300000] exe invoked oom-killer: gfp_mask=0xc40(GFP_NOFS), order=0, oom_score_adj=-999
        [  147.300001] systemd-udevd invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=-1000
        [  147.358790] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/podruntime.slice,task_memcg=/podruntime.slice/kubelet.service,task=kubelet,pid=989,uid=0
        [  147.358800] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=systemd-udevd.service,mems_allowed=0,global_oom,task_memcg=/system.slice/newshive.service,task=uvicorn,pid=1306511,uid=1001
        [  147.377880] Out of memory: Killed process 1306511 (uvicorn) total-vm:3392864kB, anon-rss:595900kB, file-rss:392kB, shmem-rss:0kB, UID:1001 pgtables:5452kB oom_score_adj:0
        [  147.377885] Memory cgroup out of memory: Killed process 989 (kubelet) total-vm:856872kB, anon-rss:49600kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:464kB oom_score_adj:-999
        [  147.401644] oom_reaper: reaped process 989 (kubelet), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
        [  147.401700] oom_reaper: reaped process 1306511 (uvicorn), now anon-rss:168kB, file-rss:244kB, shmem-rss:0kB
        """
        let a = analyze(text)
        #expect(a.kills.count == 2)
        expectSame(a.kills.first, expectedKill(
            mono: 147_377_880, context: .global,
            trigger: .init(comm: "systemd-udevd", gfpMask: "0x140cca", gfpFlags: "GFP_HIGHUSER_MOVABLE|__GFP_COMP", order: 0, oomScoreAdj: -1000),
            victim: .init(pid: 1_306_511, comm: "uvicorn", uid: 1001, totalVmKB: 3_392_864, anonRssKB: 595_900, fileRssKB: 392, shmemRssKB: 0, pgtablesKB: 5452, oomScoreAdj: 0),
            constraint: .global, task: "/system.slice/newshive.service", cpuset: "systemd-udevd.service", mems: "0",
            reaped: .init(anonRssKB: 168, fileRssKB: 244, shmemRssKB: 0)))
        expectSame(a.kills.last, expectedKill(
            mono: 147_377_885, context: .memoryCgroup,
            trigger: .init(comm: "exe", gfpMask: "0xc40", gfpFlags: "GFP_NOFS", order: 0, oomScoreAdj: -999),
            victim: .init(pid: 989, comm: "kubelet", uid: 0, totalVmKB: 856_872, anonRssKB: 49600, fileRssKB: 0, shmemRssKB: 0, pgtablesKB: 464, oomScoreAdj: -999),
            constraint: .memcg, limit: "/podruntime.slice", task: "/podruntime.slice/kubelet.service", cpuset: "/", mems: "0",
            reaped: .init(anonRssKB: 0, fileRssKB: 0, shmemRssKB: 0)))
    }

    @Test("truncated record: summary without its Killed line still yields the kill; header-only yields none")
    func truncated() {
        let text = """
        [  200.100000] haproxy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
        [  200.100050] memory: usage 524288kB, limit 524288kB, failcnt 12
        [  200.100100] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice,task_memcg=/system.slice/haproxy.service,task=haproxy,pid=4242,uid=99
        [  300.000000] java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
        """
        let a = analyze(text)
        #expect(a.kills.count == 1)
        #expect(a.assemblerCounters.killsWithoutKillLine == 1)
        #expect(a.assemblerCounters.reportsWithoutKill == 1)
        let k = a.kills.first
        #expect(k?.victim == OOMKill.Victim(pid: 4242, comm: "haproxy", uid: 99))
        #expect(k?.monotonicMicros == 200_100_100)
        #expect(k?.trigger == OOMKill.Trigger(comm: "haproxy", gfpMask: "0xcc0", gfpFlags: "GFP_KERNEL", order: 0, oomScoreAdj: 0))
        #expect(k?.memcg == OOMKill.MemcgState(usageKB: 524_288, limitKB: 524_288, failcnt: 12))
        #expect(k?.limitCgroup == "/system.slice")
        #expect(k?.taskCgroup == "/system.slice/haproxy.service")
        #expect(k?.constraint == .memcg)
        #expect(k?.owner == .systemdUnit(slice: "system.slice", unit: "haproxy.service"))
    }

    @Test("comm with spaces and parentheses: (sd-pam) and my proc (1)")
    func parenthesizedComms() {
        let text = """
        [  1.000000] Out of memory: Killed process 1234 ((sd-pam)) total-vm:1000kB, anon-rss:10kB, file-rss:20kB, shmem-rss:0kB, UID:1000 pgtables:40kB oom_score_adj:100
        [  1.000001] oom_reaper: reaped process 1234 ((sd-pam)), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
        [  2.000000] Out of memory: Killed process 99 (my proc (1)) total-vm:5kB, anon-rss:1kB, file-rss:2kB, shmem-rss:3kB, UID:0 pgtables:4kB oom_score_adj:-5
        [  3.000000] Killed process 7 (a) total-vm:) total-vm:1kB, anon-rss:2kB, file-rss:3kB
        """
        let a = analyze(text)
        #expect(a.kills.count == 3)
        #expect(a.kills.first?.victim == OOMKill.Victim(pid: 1234, comm: "(sd-pam)", uid: 1000, totalVmKB: 1000, anonRssKB: 10, fileRssKB: 20, shmemRssKB: 0, pgtablesKB: 40, oomScoreAdj: 100))
        #expect(a.kills.first?.reaped == OOMKill.Reaped(anonRssKB: 0, fileRssKB: 0, shmemRssKB: 0))
        #expect(a.kills.count > 1 && a.kills[1].victim == OOMKill.Victim(pid: 99, comm: "my proc (1)", uid: 0, totalVmKB: 5, anonRssKB: 1, fileRssKB: 2, shmemRssKB: 3, pgtablesKB: 4, oomScoreAdj: -5))
        // a hostile comm `a) total-vm:` is taken whole (the last `)` followed by ` total-vm:` wins)
        #expect(a.kills.last?.victim == OOMKill.Victim(pid: 7, comm: "a) total-vm:", totalVmKB: 1, anonRssKB: 2, fileRssKB: 3))
    }

    @Test("kernel errors are reported as their own kind")
    func kernelErrors() {
        let text = """
        [  5.0] BUG: kernel NULL pointer dereference, address: 0000000000000008
        [  5.1] Oops: 0002 [#1] PREEMPT SMP NOPTI
        [  5.2] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] SMP
        [  5.3] kernel BUG at mm/slub.c:305!
        [  5.4] Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled
        [  5.5] BUGS: not an error line
        """
        let a = analyze(text)
        #expect(a.kernelErrors.map(\.kind) == [.bug, .oops, .generalProtectionFault, .kernelBug, .panic])
        #expect(a.kernelErrors.map(\.monotonicMicros) == [5_000_000, 5_100_000, 5_200_000, 5_300_000, 5_400_000])
        #expect(a.kernelErrors.first?.message == "BUG: kernel NULL pointer dereference, address: 0000000000000008")
        #expect(a.kernelErrors.last?.isOutOfMemoryPanic == true)
        #expect(a.kernelErrors.first?.isOutOfMemoryPanic == false)
        #expect(a.kills.isEmpty)
    }

    @Test("the same kill from two sources / a replay gets the same id and is reported once")
    func stableIDAndReplayDedup() {
        let line = KernelLine("Memory cgroup out of memory: Killed process 5 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0",
                              realtimeMicros: 1, monotonicMicros: 42, bootID: "b1")
        var a1 = OOMKillAssembler()
        var e1 = a1.feed(line)
        e1 += a1.finish()
        var a2 = OOMKillAssembler()
        var other = line
        other.realtimeMicros = 999 // a different source stamps its own wall clock
        var e2 = a2.feed(other)
        e2 += a2.feed(line) // replayed
        e2 += a2.finish()
        guard case .kill(let k1)? = e1.first, case .kill(let k2)? = e2.first else {
            Issue.record("no kill")
            return
        }
        #expect(k1.id == k2.id)
        #expect(e2.count == 1)
        #expect(a2.counters.duplicateKillLines == 1)
        #expect(k1.id == OOMKill.makeID(bootID: "b1", monotonicMicros: 42, realtimeMicros: nil, pid: 5, comm: "x"))
        #expect(k1.id.count == 16)
    }
}
