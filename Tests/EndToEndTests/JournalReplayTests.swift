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
        let killMonotonic = Self.monotonic(atFractionOfUptime: 0.5)
        var export = ""
        export += Self.entry(boot: previousBoot, realtime: now - 7_200_000_000, monotonic: 1_000_000, message: "Linux version 6.1.0-18-amd64")
        export += Self.entry(boot: previousBoot, realtime: now - 3_600_000_000, monotonic: 3_600_000_000,
                             message: "BUG: kernel NULL pointer dereference, address: 0000000000000008")
        export += Self.entry(boot: currentBoot, realtime: now - 1_200_000_000, monotonic: 1, message: "Linux version 6.18.44")
        let lines = [
            "haproxy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice,task_memcg=/system.slice/haproxy.service,task=haproxy,pid=4242,uid=0",
            "Memory cgroup out of memory: Killed process 4242 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0",
        ]
        for (index, line) in lines.enumerated() {
            export += Self.entry(boot: currentBoot, realtime: killAt + Int64(index) * 10, monotonic: killMonotonic + Int64(index) * 10, message: line)
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
            #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
        }
    }

    // MARK: the saved position and a journal that changed while the daemon was down

    static func currentBoot() throws -> String {
        try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8).filter { $0 != "-" && $0 != "\n" }
    }

    /// A kernel timestamp (µs since boot, CLOCK_MONOTONIC like the kernel's own stamps and the daemon's hold)
    /// at `fraction` of the time the running boot has been up so far. Fixture lines of the current boot must
    /// lie in the kernel clock's past, however recently the machine booted: a kill stamped ahead of the
    /// clock is held until the clock gets there (fixed stamps of 10–27 minutes made these tests fail on a
    /// machine up for less than that).
    static func monotonic(atFractionOfUptime fraction: Double) -> Int64 {
        max(1, Int64(Double(Monotonic.micros()) * fraction))
    }

    /// A memcg kill of `pid` in system.slice/haproxy.service, as three kernel entries `at` (µs).
    static func killExport(boot: String, at realtime: Int64, monotonic: Int64, pid: Int, under prefix: String = "") -> String {
        [
            "haproxy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=\(prefix)/system.slice,task_memcg=\(prefix)/system.slice/haproxy.service,task=haproxy,pid=\(pid),uid=0",
            "Memory cgroup out of memory: Killed process \(pid) (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0",
        ].enumerated().map { index, line in
            entry(boot: boot, realtime: realtime + Int64(index) * 10, monotonic: monotonic + Int64(index) * 10, message: line)
        }.joined()
    }

    /// A scratch area: a journal directory the test fills file by file, a state directory, no cgroups.
    struct Scratch {
        let work = NSTemporaryDirectory() + "oomwatch-position-\(UUID().uuidString)"
        var journal: String { work + "/journal" }

        init() throws { try FileManager.default.createDirectory(atPath: work + "/journal", withIntermediateDirectories: true) }

        /// Writes `export` as the journal file `name`.journal.
        func addJournalFile(_ name: String, _ export: String) throws {
            try export.write(toFile: "\(work)/\(name).export", atomically: true, encoding: .utf8)
            try JournalFixture.convert("\(work)/\(name).export", to: "\(journal)/\(name).journal")
        }

        func arguments(replayWindow: String = "24h") -> [String] {
            ["--journal-directory", journal, "--kmsg-fast-path", "false", "--state-dir", "\(work)/state",
             "--cgroup-root", "\(work)/no-cgroups", "--replay-window", replayWindow]
        }

        /// Runs the daemon until the kill of `pid` is served, stops it and checks that the position was saved.
        func runUntilSaved(pid: Int, replayWindow: String = "24h") async throws {
            let daemon = try await DaemonProcess.start(arguments(replayWindow: replayWindow))
            let view = DaemonView(daemon: daemon)
            _ = try await view.waitForKill(pid: Int32(pid), timeout: .seconds(20))
            #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
            // A quiet source's position is saved at shutdown.
            let cursor = try String(contentsOfFile: "\(work)/state/journal.cursor", encoding: .utf8)
            #expect(cursor.hasPrefix("s="), "position saved: \(cursor)")
        }

        /// Makes the journal directory `directory` appear with `noiseLines` other kernel lines and then a kill of
        /// `pid` in it, all at once: built aside and renamed into place (an empty directory would be opened and
        /// its lines then followed live, not replayed).
        func makeJournalAppear(at directory: String, noiseLines: Int, thenKillOf pid: Int, boot: String, now: Int64) throws {
            let staging = directory + ".staging"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            let noiseStart = JournalReplayTests.monotonic(atFractionOfUptime: 0.35)
            let noise = (0..<noiseLines).map { index in
                JournalReplayTests.entry(boot: boot, realtime: now - 900_000_000 + Int64(index) * 1_000, monotonic: noiseStart + Int64(index) * 10,
                                         message: "eth0: link becomes ready (\(index))")
            }.joined()
            let kill = JournalReplayTests.killExport(boot: boot, at: now - 600_000_000, monotonic: JournalReplayTests.monotonic(atFractionOfUptime: 0.5), pid: pid)
            try (noise + kill).write(toFile: "\(work)/appearing.export", atomically: true, encoding: .utf8)
            try JournalFixture.convert("\(work)/appearing.export", to: staging + "/appearing.journal")
            guard rename(staging, directory) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "rename \(staging) to \(directory): \(String(cString: strerror(errno)))"])
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: work) }
    }

    @Test func positionVacuumedWhileDownWarnsInTheLogAndReadyzAndLosesNothingTheJournalStillHas() async throws {
        let boot = try Self.currentBoot()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.addJournalFile("older", Self.killExport(boot: boot, at: now - 1_800_000_000, monotonic: Self.monotonic(atFractionOfUptime: 0.3), pid: 5101))
        try await scratch.runUntilSaved(pid: 5101)

        // While the daemon is down: a newer file with another kill, then the older file (holding the
        // saved position) is vacuumed.
        try scratch.addJournalFile("newer", Self.killExport(boot: boot, at: now - 1_200_000_000, monotonic: Self.monotonic(atFractionOfUptime: 0.5), pid: 5102))
        try FileManager.default.removeItem(atPath: scratch.journal + "/older.journal")

        let daemon = try await DaemonProcess.start(scratch.arguments())
        let view = DaemonView(daemon: daemon)
        _ = try await view.waitForKill(pid: 5102, timeout: .seconds(20))
        let events = try await view.killEvents()
        #expect(events.count == 1, "the vacuumed kill is gone with its file; the retained one is listed once")
        #expect(events.first?.replayed == false, "after the saved position: counted")
        #expect(try await view.kills().map(\.victim.pid) == [5102])
        #expect(try await view.metricSum("oomwatch_oom_kills_total") == 1)
        let ready = try await LoopbackClient.get(port: daemon.port, path: "/readyz").bodyText
        #expect(ready.contains("journal-position: ready - the journal no longer holds the saved position of 20"), "\(ready)")
        #expect(daemon.log.contains("not found in the journal; resuming at the oldest retained entry of the current boot"), "\(daemon.log.suffix(3000))")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    @Test func downLongerThanTheReplayWindowResumesAfterTheSavedPosition() async throws {
        let boot = try Self.currentBoot()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.addJournalFile("first", Self.killExport(boot: boot, at: now - 1_800_000_000, monotonic: Self.monotonic(atFractionOfUptime: 0.3), pid: 5201))
        try await scratch.runUntilSaved(pid: 5201, replayWindow: "1h")

        // A kill while the daemon is down, older than the next start's replay window (10 minutes).
        try scratch.addJournalFile("second", Self.killExport(boot: boot, at: now - 1_200_000_000, monotonic: Self.monotonic(atFractionOfUptime: 0.5), pid: 5202))
        let daemon = try await DaemonProcess.start(scratch.arguments(replayWindow: "10m"))
        let view = DaemonView(daemon: daemon)
        _ = try await view.waitForKill(pid: 5202, timeout: .seconds(20))
        let events = try await view.killEvents()
        #expect(events.count == 1)
        #expect(events.first?.replayed == false, "it happened after the saved position: counted now")
        #expect(try await view.kills().map(\.victim.pid) == [5202], "resumed right after the saved kill: the earlier one is not listed again")
        #expect(try await view.metricSum("oomwatch_oom_kills_total") == 1)
        #expect(!daemon.log.contains("not found in the journal"))
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: "/dev/kmsg"), "SKIPPED: /dev/kmsg is not readable (needs root)"))
    func aJournalThatAppearsLaterTakesOverFromKmsg() async throws {
        let boot = try Self.currentBoot()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let scratch = try Scratch()
        defer { scratch.remove() }
        let later = scratch.work + "/journal-later"
        let daemon = try await DaemonProcess.start([
            "--journal-directory", later, "--state-dir", "\(scratch.work)/state", "--cgroup-root", "\(scratch.work)/no-cgroups",
        ])
        let view = DaemonView(daemon: daemon)
        func readyz() async throws -> String { try await LoopbackClient.get(port: daemon.port, path: "/readyz").bodyText }
        let onlyKmsg = try await view.waitForReadyz(containing: "kmsg-fast-path: ready - reading /dev/kmsg as the only source")
        #expect(onlyKmsg.found, "\(onlyKmsg.body)")
        // /dev/kmsg's own replay over (unready while it lasts): from here on the kernel log stays ready.
        let kmsgLive = try await view.waitForReadyz(containing: "kernel-log: ready - following kernel messages live")
        #expect(kmsgLive.found, "\(kmsgLive.body)")
        #expect(try await view.metric("oomwatch_kernel_source_up", ["source": "journal"]) == 0)

        // The journal directory appears (journald started, a mount came up) with a kill in it, after 20,000
        // other kernel lines: a replay long enough to be seen in /readyz.
        try scratch.makeJournalAppear(at: later, noiseLines: 20_000, thenKillOf: 5301, boot: boot, now: now)

        // The daemon looks for the journal again after 5 s, then 10 s, 20 s, 30 s …
        // Look through every kill: /dev/kmsg's ring buffer may hold newer real kills of other tests.
        // Throughout, the kernel log stays ready: kmsg already rebuilt the events, the journal's replay only adds.
        var served = false
        var unready: String?
        let deadline = ContinuousClock.now + .seconds(75)
        while !served, ContinuousClock.now < deadline {
            let state = try await readyz()
            if unready == nil, state.contains("kernel-log: not ready") { unready = state }
            served = try await view.kills(limit: 1000).contains { $0.victim.pid == 5301 }
            if !served { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(unready == nil, "the kernel log went unready while the journal took over: \(unready ?? "")")
        guard served else {
            let state = try await readyz()
            // Without the cgroup retries (this daemon has no cgroup tree), which would fill the log's tail.
            let log = daemon.log.split(separator: "\n").filter { !$0.contains("cannot read cgroups") }.suffix(40).joined(separator: "\n")
            Issue.record("the kill in the journal that appeared later was not served: \(state)\nlog:\n\(log)")
            _ = await daemon.stop()
            return
        }
        let beside = try await view.waitForReadyz(containing: "kmsg-fast-path: ready - reading /dev/kmsg live beside the journal")
        #expect(beside.found, "\(beside.body)")
        #expect(try await readyz().contains("kernel-log: ready"))
        // The gauges follow the sources' own status events, a moment after /readyz.
        var gauges: [Double?] = []
        let gaugeDeadline = ContinuousClock.now + .seconds(10)
        repeat {
            gauges = [try await view.metric("oomwatch_kernel_source_up", ["source": "journal"]),
                      try await view.metric("oomwatch_kernel_source_up", ["source": "kmsg"])]
            if gauges == [1, 1] { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < gaugeDeadline
        #expect(gauges == [1, 1], "journal and kmsg up")
        #expect(daemon.log.contains("the journal opens now"), "\(daemon.log.suffix(2000))")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    /// /dev/kmsg, the only source, fails before its replay finishes (here: the path is a directory, so every read
    /// fails with EISDIR). The daemon says so in /readyz and retries with a backoff instead of spinning; when the
    /// journal appears it takes over and, as kmsg never served the events, stays unready until its own replay has
    /// rebuilt them. /dev/kmsg, still failing, is then retried as the fast path beside the journal, which goes on.
    @Test func kmsgFailingBeforeItsReplayIsRetriedAndTheJournalTakesOverUnready() async throws {
        let boot = try Self.currentBoot()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let scratch = try Scratch()
        defer { scratch.remove() }
        let later = scratch.work + "/journal-later"
        let brokenKmsg = scratch.work + "/kmsg-is-a-directory"
        try FileManager.default.createDirectory(atPath: brokenKmsg, withIntermediateDirectories: true)
        let daemon = try await DaemonProcess.start([
            "--journal-directory", later, "--kmsg-path", brokenKmsg, "--state-dir", "\(scratch.work)/state", "--cgroup-root", "\(scratch.work)/no-cgroups",
        ])
        let view = DaemonView(daemon: daemon)
        func readyz() async throws -> String { try await LoopbackClient.get(port: daemon.port, path: "/readyz").bodyText }
        let failing = try await view.waitForReadyz(containing: "kernel-log: not ready - reading \(brokenKmsg) failed: read \(brokenKmsg): Is a directory; retrying in")
        #expect(failing.found, "\(failing.body)")
        // Retried after 1 s, then 2 s, 4 s …: a few attempts in 3.5 s (it was hundreds a second).
        try await Task.sleep(for: .milliseconds(3500))
        let attempts = daemon.log.split(separator: "\n").filter { $0.contains("reading /dev/kmsg failed; retrying") }.count
        #expect((2...4).contains(attempts), "attempts in the first 3.5 s: \(attempts)\n\(daemon.log.suffix(2000))")
        #expect(try await LoopbackClient.get(port: daemon.port, path: "/healthz").status == 200, "still serving")
        #expect(try await view.metric("oomwatch_kernel_source_up", ["source": "kmsg"]) == 0)

        // The journal appears, with a kill after 30,000 other kernel lines: a replay long enough to be seen.
        try scratch.makeJournalAppear(at: later, noiseLines: 30_000, thenKillOf: 5601, boot: boot, now: now)

        // Until the journal's replay is over the kernel log is not ready: nothing was served from /dev/kmsg.
        var served = false
        var sawReplayUnready = false
        var readyTooEarly: String?
        let deadline = ContinuousClock.now + .seconds(75)
        while !served, ContinuousClock.now < deadline {
            let state = try await readyz()
            if state.contains("kernel-log: not ready - replaying") { sawReplayUnready = true }
            if readyTooEarly == nil, state.contains("kernel-log: ready - replaying") || state.contains("events so far from /dev/kmsg") { readyTooEarly = state }
            served = try await view.kills(limit: 1000).contains { $0.victim.pid == 5601 }
            if !served { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard served else {
            Issue.record("the kill in the journal was not served: \(try await readyz())\nlog:\n\(daemon.log.suffix(3000))")
            _ = await daemon.stop()
            return
        }
        #expect(readyTooEarly == nil, "ready during the journal's replay although /dev/kmsg never served the events: \(readyTooEarly ?? "")")
        #expect(sawReplayUnready, "the journal's replay of 30,000 lines was never seen unready in /readyz")
        let live = try await view.waitForReadyz(containing: "kernel-log: ready - following kernel messages live")
        #expect(live.found, "\(live.body)")

        // /dev/kmsg still fails: as the fast path it is retried beside the journal, which is not restarted.
        let fastPathOff = try await view.waitForReadyz(containing: "kmsg-fast-path: ready - off: reading \(brokenKmsg) failed: read \(brokenKmsg): Is a directory; retrying in")
        #expect(fastPathOff.found, "\(fastPathOff.body)")
        try await Task.sleep(for: .milliseconds(3500))
        let log = daemon.log
        #expect(log.contains("the kmsg fast path failed"), "\(log.suffix(2000))")
        let journalStarts = log.split(separator: "\n").filter { $0.contains("reading kernel messages from the journal") }.count
        #expect(journalStarts == 1, "the journal was opened \(journalStarts) times")
        #expect(try await readyz().contains("kernel-log: ready - following kernel messages live"))
        #expect(try await view.kills(limit: 1000).filter { $0.victim.pid == 5601 }.count == 1, "listed once")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    /// The daemon as an unprivileged user (nobody): the journal directory is not readable to it, and nor is
    /// /dev/kmsg (dmesg_restrict). It keeps running, says why in the log and /readyz, retries with backoff,
    /// and reads the journal once the permission is fixed.
    @Test(.enabled(if: getuid() == 0 && Tools.available("setpriv"), "SKIPPED: needs root and setpriv (util-linux) to run the daemon as nobody"))
    func permissionDeniedIsReportedAndRetriedUntilFixed() async throws {
        let boot = try Self.currentBoot()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.addJournalFile("root-only", Self.killExport(boot: boot, at: now - 600_000_000, monotonic: Self.monotonic(atFractionOfUptime: 0.5), pid: 5401))
        chmod(scratch.work, 0o755)
        chmod(scratch.journal, 0o700)
        chmod(scratch.journal + "/root-only.journal", 0o600)
        let state = scratch.work + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        chown(state, 65534, 65534)
        let kmsgReadable = (try? String(contentsOfFile: "/proc/sys/kernel/dmesg_restrict", encoding: .utf8))?.hasPrefix("0") ?? false

        let daemon = try await DaemonProcess.start(
            ["--journal-directory", scratch.journal, "--state-dir", state, "--cgroup-root", "\(scratch.work)/no-cgroups"],
            execWrapper: "setpriv --reuid=65534 --regid=65534 --clear-groups")
        func readyz() async throws -> (status: Int, body: String) {
            let response = try await LoopbackClient.get(port: daemon.port, path: "/readyz")
            return (response.status, response.bodyText)
        }
        var denied = (status: 0, body: "")
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            denied = try await readyz()
            if denied.body.contains("Permission denied") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        if kmsgReadable {
            // nobody may read /dev/kmsg here (dmesg_restrict=0): it is the source until the journal opens.
            #expect(denied.body.contains("kmsg-fast-path: ready - reading /dev/kmsg as the only source (no journal: cannot read journal at \(scratch.journal): Permission denied"), "\(denied.body)")
        } else {
            #expect(denied.body.contains("kernel-log: not ready - no kernel log source: cannot read journal at \(scratch.journal): Permission denied"), "\(denied.body)")
            #expect(denied.status == 503, "no kernel log source at all: not ready")
            #expect(denied.body.contains("retrying in"), "\(denied.body)")
        }
        #expect(daemon.log.contains("no kernel log source") && daemon.log.contains("Permission denied"), "a clear log line: \(daemon.log.suffix(2000))")
        #expect(try await LoopbackClient.get(port: daemon.port, path: "/healthz").status == 200, "still serving")

        // The permission is fixed: the daemon picks the journal up on a later retry.
        chmod(scratch.journal, 0o755)
        chmod(scratch.journal + "/root-only.journal", 0o644)
        _ = try await DaemonView(daemon: daemon).waitForKill(pid: 5401, timeout: .seconds(70))
        let fixed = try await readyz().body
        #expect(fixed.contains("kernel-log: ready"), "\(fixed)")
        #expect(daemon.process.exitStatus == nil, "the process never died")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    /// A node nested in a container (kind) shares its host's kernel log: with --cgroup-hierarchy-prefix,
    /// only the kills inside its own hierarchy are its own.
    @Test func aNestedNodeListsOnlyTheKillsInItsHierarchy() async throws {
        let boot = try Self.currentBoot()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.addJournalFile("host", Self.killExport(boot: boot, at: now - 600_000_000, monotonic: Self.monotonic(atFractionOfUptime: 0.5), pid: 5501, under: "/kind-worker")
            + Self.killExport(boot: boot, at: now - 500_000_000, monotonic: Self.monotonic(atFractionOfUptime: 0.55), pid: 5502, under: "/kind-worker2"))
        let daemon = try await DaemonProcess.start(scratch.arguments() + ["--cgroup-hierarchy-prefix", "/kind-worker"])
        let view = DaemonView(daemon: daemon)
        _ = try await view.waitForKill(pid: 5501, timeout: .seconds(20))
        // The replay is over (both kills read) once the journal is followed live.
        let live = try await view.waitForReadyz(containing: "kernel-log: ready - following kernel messages live", timeout: .seconds(20))
        #expect(live.found, "\(live.body)")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await view.kills().map(\.victim.pid) == [5501], "kind-worker2's kill is another node's")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }
}
