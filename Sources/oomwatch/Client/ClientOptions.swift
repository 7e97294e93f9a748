import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchAdapters
import OOMWatchCore

/// `--output`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Options shared by the commands that query a running daemon.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon to query.", valueName: "url"), transform: { text in
        do { return try ServerURL(parsing: text) } catch { throw ValidationError("\(error)") }
    })
    var server: ServerURL = ServerURL(host: "127.0.0.1", port: 9847)

    @Option(help: "Output format: text (a table for people) or json (for scripts).")
    var output: OutputFormat = .text

    @Flag(help: "Re-render every --interval until Ctrl-C.")
    var watch = false

    @Option(help: ArgumentHelp("How often --watch re-renders, e.g. 2s, 500ms.", valueName: "duration"),
            transform: { try RunCommand.positiveDuration($0) })
    var interval: Duration = .seconds(2)

    @Option(help: ArgumentHelp("Deadline for each request to the daemon.", valueName: "duration"),
            transform: { try RunCommand.positiveDuration($0) })
    var timeout: Duration = .seconds(10)

    /// For golden tests: the time relative times are counted from (RFC 3339); default: the clock.
    @Option(help: .private)
    var now: String?

    func validate() throws {
        if let now, RFC3339.parseMicros(now) == nil { throw ValidationError("--now must be an RFC 3339 time, e.g. 2026-11-23T11:50:00Z") }
    }

    /// "Now" in µs since the epoch.
    var nowMicros: Int64 {
        if let now, let micros = RFC3339.parseMicros(now) { return micros }
        return Int64(Date().timeIntervalSince1970 * 1_000_000)
    }

    /// Width for tables: `COLUMNS`, the terminal, or 100.
    var width: Int { TerminalSize.columns(environment: ProcessInfo.processInfo.environment) }

    var queries: DaemonQueries { DaemonQueries(server: server, timeout: timeout) }

    /// Runs `render` once, or every `interval` under `--watch` (clearing a terminal screen between
    /// renders; errors are shown and retried instead of ending the watch).
    func present(_ render: () throws -> String) async throws {
        guard watch else {
            StandardStream.writeOutput(try render())
            return
        }
        let clear = TerminalSize.standardOutputIsTerminal && output == .text
        while true {
            var text: String
            do { text = try render() } catch { text = "oomwatch: \(error)\n" }
            if clear { text = "\u{1B}[H\u{1B}[2J" + text } else if output == .text { text += "\n" }
            StandardStream.writeOutput(text)
            try await Task.sleep(for: interval)
        }
    }
}
