import Foundation
import Glibc
import OOMWatchCore
import OOMWatchTestSupport
import Testing

/// The daemon replaying a fixture journal built with systemd-journal-remote: an unexpected reboot, and a
/// kill from before the daemon started that is listed but not counted, across a restart too.
@Suite("Journal replay into the daemon", .enabled(if: JournalFixture.isAvailable, "SKIPPED: systemd-journal-remote is not installed"))
struct JournalReplayTests {
    static func entry(boot: String, realtime: Int64, monotonic: Int64, message: String, transport: String = "kernel", extra: [String] = []) -> String {
        ([
            "__REALTIME_TIMESTAMP=\(realtime)", "__MONOTONIC_TIMESTAMP=\(monotonic)", "_BOOT_ID=\(boot)",
            "_MACHINE_ID=0123456789abcdef0123456789abcdef", "_HOSTNAME=node-1", "PRIORITY=3", "_TRANSPORT=\(transport)",
            "SYSLOG_IDENTIFIER=kernel", "_SOURCE_MONOTONIC_TIMESTAMP=\(monotonic)",
        ] + extra + ["MESSAGE=\(message)"]).joined(separator: "\n") + "\n\n"
    }

    @Test func rebootAndReplayedKillAreListedOnceAndNotCounted() async throws {
        let currentBoot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
            .filter { $0 != "-" && $0 != "\n" }
        let previousBoot = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let killAt = now - 600_000_000
        var export = ""
        export += Self.entry(boot: previousBoot, realtime: now - 7_200_000_000, monotonic: 1_000_000, message: "Linux version 6.1.0-18-amd64")
        export += Self.entry(boot: previousBoot, realtime: now - 3_600_000_000, monotonic: 3_600_000_000,
                             message: "BUG: kernel NULL pointer dereference, address: 0000000000000008")
        export += Self.entry(boot: currentBoot, realtime: now - 1_200_000_000, monotonic: 2_000_000, message: "Linux version 6.18.44")
        let lines = [
            "haproxy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice,task_memcg=/system.slice/haproxy.service,task=haproxy,pid=4242,uid=0",
            "Memory cgroup out of memory: Killed process 4242 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0",
        ]
        for (index, line) in lines.enumerated() {
            export += Self.entry(boot: currentBoot, realtime: killAt + Int64(index) * 10, monotonic: 600_000_000 + Int64(index) * 10, message: line)
        }
        let work = NSTemporaryDirectory() + "oomwatch-replay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try export.write(toFile: "\(work)/fixture.export", atomically: true, encoding: .utf8)
        let journal = try JournalFixture.makeJournalDirectory(from: "\(work)/fixture.export")
        defer { try? FileManager.default.removeItem(atPath: journal) }
        let arguments = ["--journal-directory", journal, "--kmsg-fast-path", "false", "--state-dir", "\(work)/state", "--cgroup-root", "\(work)/no-cgroups"]

        for run in 1...2 {
            let daemon = try await DaemonProcess.start(arguments)
            let view = DaemonView(daemon: daemon)
            let deadline = ContinuousClock.now + .seconds(20)
            var events: [NodeEvent] = []
            while ContinuousClock.now < deadline {
                let body = try await LoopbackClient.get(port: daemon.port, path: "/events").body
                events = try DaemonJSON.decoder().decode(DaemonView.EventsBody.self, from: Data(body)).events
                if events.contains(where: { $0.kind == .oomKill }) && events.contains(where: { $0.kind == .nodeReboot }) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let kills = events.filter { $0.kind == .oomKill }
            let reboots = events.compactMap { event -> NodeReboot? in if case .nodeReboot(let reboot) = event.payload { reboot } else { nil } }
            #expect(kills.count == 1, "run \(run): the kill is listed once")
            #expect(kills.first?.replayed == true, "run \(run): it happened before the daemon started: listed, not counted")
            if case .oomKill(let kill) = kills.first?.payload {
                #expect(kill.owner == .systemdUnit(slice: "system.slice", unit: "haproxy.service"))
                #expect(kill.limitCgroup == "/system.slice")
                #expect(kill.realtimeMicros == killAt + 20)
            }
            #expect(reboots.count == 1, "run \(run): one unexpected reboot")
            #expect(reboots.first?.previousBootID == previousBoot)
            #expect(reboots.first?.cleanShutdownRecorded == false)
            #expect(reboots.first?.lastKernelErrors == ["BUG: kernel NULL pointer dereference, address: 0000000000000008"])
            #expect(try await view.metricSum("oomwatch_oom_kills_total") == 0, "run \(run): nothing counted")
            // No cgroups here: the daemon keeps serving and says why it is not ready.
            let ready = try await LoopbackClient.get(port: daemon.port, path: "/readyz")
            #expect(ready.status == 503)
            #expect(ready.bodyText.contains("cgroups: not ready"), "\(ready.bodyText)")
            #expect(await daemon.stop() == 0)
        }
    }
}
