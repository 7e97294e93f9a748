import Foundation
import OOMWatchTestSupport
import Testing

/// The real binary, as an operator runs it.
@Suite("oomwatch binary: options, signals, exit codes")
struct DaemonLifecycleTests {
    @Test func sigtermShutsDownGracefullyWithALiveKeepAliveClient() async throws {
        let stateDir = NSTemporaryDirectory() + "oomwatch-state-\(UUID().uuidString)"
        let daemon = try await DaemonProcess.start(["--state-dir", stateDir])
        let client = try LoopbackClient(port: daemon.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await client.response().status == 200)
        let started = ContinuousClock.now
        daemon.process.signal(SIGTERM)
        let ended = await daemon.process.waitTimed(timeout: .seconds(5))
        let elapsed = (ended?.at ?? ContinuousClock.now) - started
        #expect(ended?.exit == .exited(0), "exit after SIGTERM: \(String(describing: ended?.exit)); log: \(daemon.log)")
        #expect(elapsed < .seconds(2), "graceful shutdown took \(elapsed)")
        #expect(await client.untilClosed(timeout: .seconds(2)).closed)
        #expect(daemon.log.contains("oomwatch stopped"))
    }

    @Test func sigintShutsDownToo() async throws {
        let daemon = try await DaemonProcess.start()
        #expect(await daemon.stop(signal: SIGINT) == 0)
    }

    /// SwiftNIO would start one event-loop thread per core, each with a ~200 KiB task buffer (64 on a 64-core
    /// node); the daemon runs one on any machine.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "SKIPPED: one core here, where NIO's default is one loop too"))
    func runsOneEventLoopThreadWhateverTheCoreCount() async throws {
        let daemon = try await DaemonProcess.start()
        let tasks = "/proc/\(daemon.process.pid)/task"
        let names = try FileManager.default.contentsOfDirectory(atPath: tasks).compactMap {
            try? String(contentsOfFile: "\(tasks)/\($0)/comm", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(names.filter { $0.hasPrefix("NIO-SGLTN") }.count == 1, "threads: \(names)")
        #expect(await daemon.stop(signal: SIGTERM) == 0)
    }

    @Test func environmentVariablesConfigureTheDaemonAndTheCommandLineWins() async throws {
        let daemon = try await DaemonProcess.start(
            [], environment: ["OOMWATCH_LOG_FORMAT": "json", "OOMWATCH_POLL_INTERVAL": "750ms", "OOMWATCH_LISTEN": "127.0.0.1:1"])
        let log = daemon.log
        #expect(log.contains("\"poll_interval\":\"750ms\""), "env OOMWATCH_POLL_INTERVAL and OOMWATCH_LOG_FORMAT apply: \(log)")
        #expect(log.contains("\"listen\":\"127.0.0.1:0\""), "the command line's --listen wins over OOMWATCH_LISTEN: \(log)")
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(3000))")
    }

    @Test(arguments: [
        ["run", "--poll-interval", "5x"], ["run", "--listen", "nohost"], ["run", "--log-format", "xml"],
        ["run", "--read-timeout", "0s"], ["run", "--oom-score-adj", "-1001"], ["run", "--oom-score-adj", "x"], ["run", "--no-such-option"], ["frobnicate"],
        ["run", "--pressure-warning", "120%"], ["run", "--pressure-warning", "0"], ["run", "--pressure-warning", "97%", "--pressure-critical", "90%"],
        ["run", "--psi-warning", "50%"], ["run", "--psi-warning", "5%"], ["run", "--pressure-warning", "0.9"], ["run", "--kill-alert-critical", "0"], ["run", "--kill-alert-warning", "4"], ["run", "--kill-alert-window", "0s"],
    ])
    func badValuesAreUsageErrorsWithExitCode2(arguments: [String]) async throws {
        let result = try await Blocking.run { try Tools.run(BuildProducts.executable("oomwatch").path, arguments) }
        #expect(result.status == 2, "\(arguments): \(result.output)")
        #expect(result.output.contains("Error:") || result.output.contains("Usage:"))
    }

    @Test func badEnvironmentValueIsAUsageError() async throws {
        let result = try await Blocking.run {
            try Tools.runWithEnvironment(BuildProducts.executable("oomwatch").path, ["run"], environment: ["OOMWATCH_POLL_INTERVAL": "soon"])
        }
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("soon"))
    }

    @Test func portInUseFailsWithAClearMessageAndNonZeroExit() async throws {
        let first = try await DaemonProcess.start()
        let result = try await Blocking.run {
            try Tools.run(BuildProducts.executable("oomwatch").path, ["run", "--listen", "127.0.0.1:\(first.port)"])
        }
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("cannot listen on 127.0.0.1:\(first.port)"), "\(result.output)")
        #expect(await first.stop() == 0, "\(first.log.suffix(3000))")
    }
}

@Suite("systemd integration (sd_notify)")
struct SystemdNotifyTests {
    @Test func notifiesReadyWatchdogAndStopping() async throws {
        let socket = try NotifySocket()
        let daemon = try await DaemonProcess.start(
            [], environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
        let ready = await socket.waitFor("READY=1", timeout: .seconds(5))
        #expect(ready?.contains("STATUS=serving on") == true, "READY=1 with a status: \(ready ?? "nothing")")
        // WATCHDOG_USEC without WATCHDOG_PID applies to this process: pings every 200 ms.
        #expect(await socket.waitFor("WATCHDOG=1", timeout: .seconds(2)) != nil)
        #expect(await socket.waitFor("WATCHDOG=1", timeout: .seconds(2)) != nil)
        #expect(await daemon.stop() == 0, "\(daemon.log.suffix(2000))")
        #expect(await socket.waitFor("STOPPING=1", timeout: .seconds(2)) != nil)
    }
}

@Suite("Deploy files agree with the daemon")
struct DeployConsistencyTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func helpOptions() async throws -> [String] {
        let help = try await Blocking.run { try Tools.run(BuildProducts.executable("oomwatch").path, ["run", "--help"]) }
        return help.output.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.drop(while: { $0 == " " })
            guard trimmed.hasPrefix("--") else { return nil }
            let name = String(trimmed.prefix(while: { $0 != " " && $0 != "," && $0 != "=" }))
            return ["--help", "--version"].contains(name) ? nil : name
        }
    }

    @Test func daemonOptionsListMatchesTheHelp() async throws {
        let listed = try String(contentsOf: Self.repository.appendingPathComponent("deploy/daemon-options.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(listed == (try await Self.helpOptions()), "regenerate with `make deploy-options`")
    }

    @Test func everyOptionDocumentsItsEnvironmentVariable() async throws {
        let raw = try await Blocking.run { try Tools.run(BuildProducts.executable("oomwatch").path, ["run", "--help"]) }.output
        let help = raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for option in try await Self.helpOptions() {
            let variable = "OOMWATCH_" + option.dropFirst(2).uppercased().replacingOccurrences(of: "-", with: "_")
            #expect(help.contains("[env: \(variable)"), "\(option) documents \(variable)")
        }
    }

    @Test func everyEnvironmentVariableIsRead() async throws {
        // A bad value through each variable whose option checks its value is refused, which proves the
        // variable is read (the path options take any text).
        for variable in ["OOMWATCH_POLL_INTERVAL", "OOMWATCH_POD_POLL_INTERVAL", "OOMWATCH_READ_TIMEOUT", "OOMWATCH_REPLAY_WINDOW", "OOMWATCH_LISTEN",
                         "OOMWATCH_LOG_LEVEL", "OOMWATCH_LOG_FORMAT", "OOMWATCH_KMSG_FAST_PATH", "OOMWATCH_PRESSURE_ALERT_FOR", "OOMWATCH_OOM_SCORE_ADJ",
                         "OOMWATCH_PRESSURE_WARNING", "OOMWATCH_PRESSURE_CRITICAL", "OOMWATCH_PSI_WARNING", "OOMWATCH_PSI_CRITICAL",
                         "OOMWATCH_KILL_ALERT_WARNING", "OOMWATCH_KILL_ALERT_CRITICAL", "OOMWATCH_KILL_ALERT_WINDOW"] {
            let result = try await Blocking.run {
                try Tools.runWithEnvironment(BuildProducts.executable("oomwatch").path, ["run"], environment: [variable: "bogus-value"])
            }
            #expect(result.status == 2, "\(variable)=bogus-value: \(result.output)")
        }
    }
}
