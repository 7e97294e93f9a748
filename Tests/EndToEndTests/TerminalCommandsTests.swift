import Foundation
import OOMWatchCore
import OOMWatchTestSupport
import Testing

/// A daemon fed with fixed data: the v2-systemd cgroup fixture tree, a fixture /proc/meminfo, and a
/// journal holding three OOM kills in the *current* boot (the daemon replays only the running boot)
/// at fixed times in November 2023 (found thanks to a long `--replay-window`).
///
/// Times in the golden output are made deterministic with the commands' hidden `--now` option: the
/// relative times (`6m ago`) are part of what the commands must get right, so the test pins the clock
/// they count from rather than switching them to absolute times. Widths come from `COLUMNS`.
enum TerminalFixture {
    /// 2023-11-17 05:46:40 UTC.
    static let c0: Int64 = 1_700_200_000
    /// `--now` for the golden output: c0 + 1000 s.
    static let now = "2023-11-17T06:03:20Z"
    static let podUID = "1d2e3f40_5a6b_4c7d_8e9f_0a1b2c3d4e5f"
    static let containerID = "3b7f2c1d9e8a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4"
    static let bestEffortPod = "0a0b0c0d_1111_2222_3333_444455556666"
    static let bestEffortContainer = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"

    static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var cgroupRoot: String { sourceRoot.path + "/Tests/OOMWatchAdaptersTests/Fixtures/trees/v2-systemd" }
    static var procRoot: String { sourceRoot.path + "/Tests/OOMWatchAdaptersTests/Fixtures/proc" }

    /// The kernel lines: (seconds after c0, kernel monotonic µs, priority, message).
    static var lines: [(Int64, Int64, Int, String)] {
        let pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(podUID).slice/cri-containerd-\(containerID).scope"
        let bestEffort = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(bestEffortPod).slice/cri-containerd-\(bestEffortContainer).scope"
        return [
            (0, 0, 5, "Linux version 6.18.44 (fixture)"),
            (126, 126_417_944, 4, "haproxy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"),
            (126, 126_418_095, 6, "memory: usage 32768kB, limit 32768kB, failcnt 82"),
            (126, 126_418_195, 6, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice,task_memcg=/system.slice/haproxy.service,task=haproxy,pid=3311,uid=0"),
            (126, 126_418_212, 3, "Memory cgroup out of memory: Killed process 3311 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0"),
            (600, 600_100_000, 4, "java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=968"),
            (600, 600_100_100, 6, "memory: usage 524288kB, limit 524288kB, failcnt 311"),
            (600, 600_100_200, 6, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-\(containerID.prefix(12)).scope,mems_allowed=0,oom_memcg=\(pod),task_memcg=\(pod),task=java,pid=5120,uid=1000"),
            (600, 600_100_300, 3, "Memory cgroup out of memory: Killed process 5120 (java) total-vm:4194304kB, anon-rss:520000kB, file-rss:12000kB, shmem-rss:0kB, UID:1000 pgtables:1400kB oom_score_adj:968"),
            (900, 900_200_000, 4, "stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=1000"),
            (900, 900_200_100, 6, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=\(bestEffort),task=stress,pid=6001,uid=0"),
            (900, 900_200_200, 3, "Out of memory: Killed process 6001 (stress) total-vm:2100000kB, anon-rss:2000000kB, file-rss:100kB, shmem-rss:0kB, UID:0 pgtables:4000kB oom_score_adj:1000"),
        ]
    }

    /// Journal export text of `lines` in the running boot. Their kernel timestamps are scaled down on a machine
    /// up for less than they reach (15 minutes): lines of the running boot stamped ahead of the kernel's clock
    /// would be held until the clock gets there.
    static func exportText(bootID: String) -> String {
        let uptime = Double(Monotonic.micros()) / 1_000_000   // the kernel's clock: CLOCK_MONOTONIC
        let scale = min(1, uptime * 0.9 / 900.3)
        var out = ""
        for (index, (offset, unscaled, priority, message)) in lines.enumerated() {
            let monotonic = Int64((Double(unscaled) * scale).rounded())
            let realtime = (c0 + offset) * 1_000_000 + Int64(index) * 100
            out += """
                __CURSOR=s=terminal;i=\(String(realtime, radix: 16))
                __REALTIME_TIMESTAMP=\(realtime)
                __MONOTONIC_TIMESTAMP=\(monotonic + 1000)
                _BOOT_ID=\(bootID)
                _MACHINE_ID=0123456789abcdef0123456789abcdef
                _HOSTNAME=node-1
                PRIORITY=\(priority)
                _TRANSPORT=kernel
                SYSLOG_FACILITY=0
                SYSLOG_IDENTIFIER=kernel
                _SOURCE_MONOTONIC_TIMESTAMP=\(monotonic)
                MESSAGE=\(message)


                """
        }
        return out
    }

    static func currentBootID() throws -> String {
        let text = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: "")
    }

    /// The golden file's path in the source tree (`OOMWATCH_UPDATE_GOLDEN=1` rewrites it).
    static func goldenPath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden/" + name
    }
}

/// Runs the `oomwatch` binary with `arguments` and `COLUMNS`; returns the exit status and output.
private func oomwatch(_ arguments: [String], columns: Int = 100) throws -> (status: Int32, output: String) {
    try Tools.runWithEnvironment(BuildProducts.executable("oomwatch").path, arguments, environment: ["COLUMNS": String(columns)])
}

@Suite("oomwatch events and status against a daemon on 127.0.0.1 (golden output)",
       .enabled(if: JournalFixture.isAvailable, "SKIPPED: \(JournalFixture.converter) not installed (apt-get install systemd-journal-remote)"),
       .enabled(if: FileManager.default.fileExists(atPath: "/proc/sys/kernel/random/boot_id"), "SKIPPED: no /proc/sys/kernel/random/boot_id"))
struct TerminalCommandsTests {
    @Test func goldenOutputOfEventsAndStatus() async throws {
        let work = NSTemporaryDirectory() + "oomwatch-terminal-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let export = work + "/kills.export"
        try TerminalFixture.exportText(bootID: try TerminalFixture.currentBootID()).write(toFile: export, atomically: true, encoding: .utf8)
        let journal = work + "/journal"
        try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
        try JournalFixture.convert(export, to: journal + "/fixture.journal")
        // The burstable pod is named through kubelet's log directories; the BestEffort one is not (its
        // directory is gone), so both renderings show. A kubelet configuration gives allocatable.
        let podUID = TerminalFixture.podUID.replacingOccurrences(of: "_", with: "-")
        let podDirectory = work + "/pods/shop_checkout-7d9f6c5b8-x2x9q_\(podUID)"
        try FileManager.default.createDirectory(atPath: podDirectory + "/app", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work + "/containers", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: podDirectory + "/app/0.log", contents: nil)
        try FileManager.default.createSymbolicLink(
            atPath: work + "/containers/checkout-7d9f6c5b8-x2x9q_shop_app-\(TerminalFixture.containerID).log", withDestinationPath: podDirectory + "/app/0.log")
        try """
            kind: KubeletConfiguration
            enforceNodeAllocatable: [pods, system-reserved]
            systemReserved: {memory: 512Mi}
            systemReservedCgroup: /system.slice
            evictionHard: {memory.available: 100Mi}
            """.write(toFile: work + "/kubelet.yaml", atomically: true, encoding: .utf8)

        let daemon = try await DaemonProcess.start([
            "--cgroup-root", TerminalFixture.cgroupRoot, "--proc-root", TerminalFixture.procRoot,
            "--journal-directory", journal, "--replay-window", "100000h", "--state-dir", work + "/state",
            "--poll-interval", "1s", "--kmsg-path", work + "/no-kmsg", "--kubelet-config", work + "/kubelet.yaml",
            "--pod-log-dir", work + "/pods", "--container-log-dir", work + "/containers",
            // The fixture's PSI is over the alert threshold; alerts run on the real clock, not the pinned
            // one, so they are kept pending (counted, not listed) for stable output.
            "--pressure-alert-for", "1000h",
        ])
        defer { daemon.kill() }
        let server = "http://127.0.0.1:\(daemon.port)"

        // Wait until the replay produced the three kills and every slice has been sampled.
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let events = try await LoopbackClient.get(port: daemon.port, path: "/events")
            let ready = try await LoopbackClient.get(port: daemon.port, path: "/readyz")
            let slice = try await LoopbackClient.get(port: daemon.port, path: "/history?cgroup=/kube.slice")
            let alerts = try await LoopbackClient.get(port: daemon.port, path: "/alerts")
            if events.bodyText.hasPrefix("{\"count\":3,"), ready.status == 200, slice.status == 200, alerts.bodyText.hasPrefix("{\"alerts\":"),
               alerts.bodyText.contains("\"count\":3") { break }
            guard ContinuousClock.now < deadline else {
                Issue.record("daemon not ready with 3 kills within 20 s: events=\(events.bodyText.prefix(200)) readyz=\(ready.bodyText) log=\(daemon.log)")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }

        let cases: [(golden: String, arguments: [String], columns: Int)] = [
            ("events-100.txt", ["events"], 100),
            ("events-60.txt", ["events"], 60),
            ("events-kills-limit-2.txt", ["events", "--type", "oom_kill", "--limit", "2"], 100),
            ("status-100.txt", ["status"], 100),
            ("status-64.txt", ["status", "--kills", "2"], 64),
        ]
        let update = ProcessInfo.processInfo.environment["OOMWATCH_UPDATE_GOLDEN"] == "1"
        for item in cases {
            let (status, raw) = try await Blocking.run {
                try oomwatch(item.arguments + ["--server", server, "--now", TerminalFixture.now], columns: item.columns)
            }
            #expect(status == 0, "\(item.arguments): \(raw)")
            let output = raw.replacingOccurrences(of: "127.0.0.1:\(daemon.port)", with: "127.0.0.1:PORT")
            for line in output.split(separator: "\n") {
                #expect(line.count <= item.columns, "\(item.golden): line wider than \(item.columns): \(line)")
            }
            let path = TerminalFixture.goldenPath(item.golden)
            if update {
                try output.write(toFile: path, atomically: true, encoding: .utf8)
                continue
            }
            let golden = try String(contentsOfFile: path, encoding: .utf8)
            #expect(output == golden, "\(item.golden) differs (OOMWATCH_UPDATE_GOLDEN=1 rewrites it):\n\(output)")
        }

        // --output json: /events as the daemon sent it, and the status report as a document.
        let (eventsStatus, eventsJSON) = try await Blocking.run { try oomwatch(["events", "--output", "json", "--server", server]) }
        #expect(eventsStatus == 0)
        struct Events: Decodable { let count: Int; let events: [NodeEvent] }
        let events = try DaemonJSON.decoder().decode(Events.self, from: Data(eventsJSON.utf8))
        #expect(events.count == 3)
        #expect(events.events.compactMap { KillRow($0) }.map(\.victim) == ["stress (6001)", "java (5120)", "haproxy (3311)"])

        let (reportStatus, reportJSON) = try await Blocking.run { try oomwatch(["status", "--output", "json", "--server", server, "--now", TerminalFixture.now]) }
        #expect(reportStatus == 0)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let report = try decoder.decode(StatusReport.self, from: Data(reportJSON.utf8))
        #expect(report.server == server)
        #expect(report.generatedAtMicros == 1_700_201_000_000_000)
        #expect(report.ready)
        #expect(report.capacityBytes == Int64(24_684_096) * 1024, "MemTotal of the fixture meminfo")
        #expect(report.slices.map(\.name) == ["kubepods", "system.slice", "kube.slice"])
        #expect(report.slices.map(\.path) == ["/kubepods.slice", "/system.slice", "/kube.slice"])
        #expect(report.slices[1].limitBytes == 536_870_912)
        #expect(report.slices[1].usageBytes == 201_326_592)
        #expect(report.recentKills.map(\.pid) == [6001, 5120, 3311])
        #expect(report.totalKills == 3)

        // The status page of the same daemon: one self-contained HTML document, no script.
        let page = try await LoopbackClient.get(port: daemon.port, path: "/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        let html = page.bodyText
        #expect(html.lowercased().hasPrefix("<!doctype html>") && !html.contains("<script") && !html.contains("src=\"http"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 3, "a chart per slice")
        for text in ["kubepods", "system.slice", "kube.slice", "22.9 GiB", "shop/checkout-7d9f6c5b8-x2x9q", "haproxy", "stress", "node memory (global OOM)"] {
            #expect(html.contains(text), "the page shows \(text)")
        }
    }
}

@Suite("oomwatch events and status: watch mode and exit codes")
struct TerminalCommandsBehaviourTests {
    @Test func unreachableDaemonExitsWith1AndSaysWhere() async throws {
        let port = try FreePort.pick()
        let (status, output) = try await Blocking.run { try oomwatch(["status", "--server", "http://127.0.0.1:\(port)"]) }
        #expect(status == 1)
        #expect(output.hasPrefix("Error: cannot query the oomwatch daemon at http://127.0.0.1:\(port): cannot connect to http://127.0.0.1:\(port): Connection refused"), "\(output)")
    }

    @Test func usageErrorsExitWith2() async throws {
        for arguments in [["events", "--limit", "0"], ["events", "--type", "bogus"], ["events", "--since", "yesterday"],
                          ["status", "--server", "https://example.org"], ["status", "--now", "noon"], ["events", "--interval", "0s"]] {
            let (status, output) = try await Blocking.run { try oomwatch(arguments) }
            #expect(status == 2, "\(arguments): \(output)")
        }
    }

    /// Alert thresholds set on the command line take effect: the fixture's system.slice (working set 168 MiB
    /// of a 512 MiB limit, 33 %) is under the default 90 % but over a 30 % threshold.
    @Test func alertThresholdsFromTheCommandLineApply() async throws {
        let work = NSTemporaryDirectory() + "oomwatch-thresholds-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let daemon = try await DaemonProcess.start([
            "--cgroup-root", TerminalFixture.cgroupRoot, "--proc-root", TerminalFixture.procRoot, "--state-dir", work + "/state",
            "--journal-directory", work + "/no-journal", "--kmsg-path", work + "/no-kmsg", "--kubelet-config", work + "/no-kubelet.yaml",
            "--poll-interval", "500ms", "--pressure-warning", "30%", "--pressure-critical", "95%", "--pressure-alert-for", "0s",
            "--psi-warning", "99%", "--psi-critical", "100%",
        ])
        defer { daemon.kill() }
        var alert: [String: Any]?
        let deadline = ContinuousClock.now + .seconds(20)
        while alert == nil, ContinuousClock.now < deadline {
            let body = try await LoopbackClient.get(port: daemon.port, path: "/alerts").body
            let alerts = (try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
            alert = alerts.first { $0["name"] as? String == "SliceMemoryPressure" && $0["subject"] as? String == "system.slice" }
            if alert == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let fired = try #require(alert, "SliceMemoryPressure on system.slice at 30 %: \(daemon.log.suffix(2000))")
        #expect(fired["severity"] as? String == "warning")
        #expect(fired["state"] as? String == "firing")
        #expect(fired["threshold"] as? Double == 0.3)
        #expect((fired["owner"] as? [String: String])?["slice"] == "system.slice")
        // The PSI thresholds were raised above the fixture's pressure: no SliceMemoryPSI.
        let all = try await LoopbackClient.get(port: daemon.port, path: "/alerts").bodyText
        #expect(!all.contains("SliceMemoryPSI"), "\(all)")
        let metrics = try await LoopbackClient.get(port: daemon.port, path: "/metrics").bodyText
        #expect(metrics.contains("oomwatch_alert_active{alert=\"SliceMemoryPressure\",subject=\"system.slice\",severity=\"warning\",owner_kind=\"slice\",slice=\"system.slice\""), "\(metrics.split(separator: "\n").filter { $0.contains("alert_active") })")
        // `oomwatch status` lists it as firing.
        let (status, output) = try await Blocking.run { try oomwatch(["status", "--server", "http://127.0.0.1:\(daemon.port)"]) }
        #expect(status == 0)
        #expect(output.contains("SliceMemoryPressure") && output.contains("system.slice"), "\(output)")
    }

    /// Without `--kubelet-config`, the daemon and `oomwatch diagnose` read the file the running kubelet
    /// names with `--config` (a host tree: `<host>/proc/<pid>/cmdline`, the file under `<host>`), and
    /// diagnose the seed incident's cause from it: system.slice capped at 512 MiB of 188 GiB by
    /// enforceNodeAllocatable (a warning while nothing has been killed in it yet).
    @Test func theRunningKubeletsConfigFileIsFoundAndDiagnosedInJSON() async throws {
        let host = NSTemporaryDirectory() + "oomwatch-kubelet-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: host) }
        try FileManager.default.createDirectory(atPath: host + "/proc/4242", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: host + "/etc/kubernetes", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: host + "/journal", withIntermediateDirectories: true)
        // The seed incident's node: 188 GiB of memory.
        let meminfo = try String(contentsOfFile: TerminalFixture.procRoot + "/meminfo", encoding: .utf8)
            .split(separator: "\n").map { $0.hasPrefix("MemTotal:") ? "MemTotal:       197132288 kB" : String($0) }.joined(separator: "\n") + "\n"
        try meminfo.write(toFile: host + "/proc/meminfo", atomically: true, encoding: .utf8)
        try Data("/usr/bin/kubelet\u{0}--config=/etc/kubernetes/kubelet-config.yaml\u{0}--v=2\u{0}".utf8).write(to: URL(fileURLWithPath: host + "/proc/4242/cmdline"))
        try """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            cgroupDriver: systemd
            enforceNodeAllocatable: [pods, system-reserved]
            systemReserved: {memory: 512Mi}
            systemReservedCgroup: /system.slice
            evictionHard: {memory.available: 100Mi}
            """.write(toFile: host + "/etc/kubernetes/kubelet-config.yaml", atomically: true, encoding: .utf8)
        let common = ["--cgroup-root", TerminalFixture.cgroupRoot, "--proc-root", host + "/proc", "--journal-directory", host + "/journal",
                      "--kmsg-path", host + "/no-kmsg", "--pod-log-dir", host + "/no-pods", "--container-log-dir", host + "/no-containers"]

        func expectSeedIncident(_ json: Data, _ origin: String) throws {
            let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any], "\(origin): JSON object")
            #expect(report["kubeletConfigurationFound"] as? Bool == true, "\(origin)")
            #expect(report["allocatable"] != nil, "\(origin): allocatable computed")
            let findings = report["findings"] as? [[String: Any]] ?? []
            let first = try #require(findings.first, "\(origin): findings")
            #expect(first["id"] as? String == "SystemSliceLimitTooSmall" && first["severity"] as? String == "warning", "\(origin): \(first)")
            let title = first["title"] as? String ?? ""
            #expect(title.hasPrefix("system.slice is capped at 512 MiB") && title.contains("enforceNodeAllocatable [pods, system-reserved]"), "\(origin): \(title)")
        }

        // One-shot: JSON on standard output; exit 0 (no critical finding: exit 1 is the seed incident test's).
        let errorPath = host + "/diagnose.err"
        let binary = BuildProducts.executable("oomwatch").path
        let (status, output) = try await Blocking.run {
            try Tools.run("/bin/sh", ["-c", "exec \"$0\" diagnose --output json \"$@\" 2>\"\(errorPath)\"", binary] + common)
        }
        #expect(status == 0, "no critical finding: exit 0; \(output) \((try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")")
        try expectSeedIncident(Data(output.utf8), "oomwatch diagnose --output json")

        // The daemon's /diagnose, in JSON.
        let daemon = try await DaemonProcess.start(common + ["--state-dir", host + "/state", "--poll-interval", "500ms"])
        defer { daemon.kill() }
        var body: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let response = try await LoopbackClient.get(port: daemon.port, path: "/diagnose")
            body = response.body
            if response.status == 200, response.bodyText.contains("SystemSliceLimitTooSmall") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try expectSeedIncident(Data(body), "GET /diagnose")
        #expect(daemon.log.contains("etc/kubernetes/kubelet-config.yaml"), "the discovered path is logged: \(daemon.log.suffix(2000))")
    }

    /// Waits (up to 15 s: a loaded machine starts processes late) until `marker` appears `count` times in
    /// the watcher's output file; the caller then checks the count.
    static func waitForRenders(of marker: String, in path: String, count: Int = 3) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline,
              ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").components(separatedBy: marker).count - 1 < count {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func watchRerendersUntilInterrupted() async throws {
        // Hermetic: no kernel log, no cgroups, no kubelet (so no events and no alerts to list).
        let daemon = try await DaemonProcess.start(["--state-dir", NSTemporaryDirectory() + "oomwatch-watch-\(getpid())",
                                                    "--kmsg-path", "/nonexistent", "--journal-directory", "/nonexistent",
                                                    "--cgroup-root", "/nonexistent", "--kubelet-config", "/nonexistent"])
        defer { daemon.kill() }
        let outputPath = NSTemporaryDirectory() + "oomwatch-watch-\(getpid())-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let watcher = try ChildProcess(BuildProducts.executable("oomwatch").path,
                                       ["events", "--watch", "--interval", "200ms", "--server", "http://127.0.0.1:\(daemon.port)"],
                                       environment: ["COLUMNS": "80"], outputPath: outputPath)
        let empty = "No events recorded (OOM kills, kernel errors, unexpected reboots).\n"
        try await Self.waitForRenders(of: empty, in: outputPath)
        #expect(watcher.isRunning, "--watch keeps going")
        watcher.signal(SIGINT)
        let exit = await watcher.wait(timeout: .seconds(5))
        #expect(exit == .signaled(SIGINT), "Ctrl-C ends the watch")
        let text = try String(contentsOfFile: outputPath, encoding: .utf8)
        let renders = text.components(separatedBy: empty).count - 1
        #expect(renders >= 3, "re-rendered every 200 ms: \(text)")
        #expect(!text.contains("\u{1B}["), "no screen clearing when standard output is not a terminal")

        // `status --watch` too.
        let statusPath = outputPath + ".status"
        defer { try? FileManager.default.removeItem(atPath: statusPath) }
        let statusWatcher = try ChildProcess(BuildProducts.executable("oomwatch").path,
                                             ["status", "--watch", "--interval", "200ms", "--server", "http://127.0.0.1:\(daemon.port)"],
                                             environment: ["COLUMNS": "80"], outputPath: statusPath)
        let header = "oomwatch http://127.0.0.1:\(daemon.port)"
        try await Self.waitForRenders(of: header, in: statusPath)
        #expect(statusWatcher.isRunning)
        statusWatcher.signal(SIGINT)
        #expect(await statusWatcher.wait(timeout: .seconds(5)) == .signaled(SIGINT))
        let statusText = try String(contentsOfFile: statusPath, encoding: .utf8)
        #expect(statusText.components(separatedBy: header).count - 1 >= 3, "re-rendered: \(statusText)")
    }
}
