import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchAdapters
import OOMWatchCore

/// `oomwatch parse`: the daemon's kill parser run offline over a node's saved logs.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Find and attribute the OOM kills in kernel logs (dmesg, journalctl -k/-o export/-o json, /var/log/messages, kern.log).",
        discussion: """
            The format of each input is detected. Prints one JSON object per kill (the default when standard output \
            is not a terminal) or a table, then a summary of kills per owner (on standard error with JSON output).
            Exit codes: 0 parsed, 1 an input could not be read, 2 usage error.
            """
    )

    enum Output: String, ExpressibleByArgument, CaseIterable { case json, table }

    @Argument(help: "Log files to read; '-' or nothing reads standard input.")
    var files: [String] = []

    @Option(help: "Output: json (one object per line) or table. Default: table on a terminal, json otherwise.")
    var output: Output?

    @Option(help: ArgumentHelp("Force the input format instead of detecting it: \(KernelLogFormat.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"),
            transform: { text in
                guard let format = KernelLogFormat(rawValue: text) else { throw ValidationError("unknown format '\(text)'") }
                return format
            })
    var format: KernelLogFormat?

    @Option(help: "Year of classic syslog timestamps ('Aug 10 21:09:11' carries none). Default: the current year.")
    var year: Int?

    @Option(help: "UTC offset of local-time timestamps (syslog, dmesg -T), e.g. +02:00. Default: +00:00.",
            transform: { try Self.offsetSeconds($0) })
    var utcOffset: Int = 0

    static func offsetSeconds(_ text: String) throws -> Int {
        let parts = text.dropFirst().split(separator: ":")
        guard let sign = text.first, sign == "+" || sign == "-", parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
              hours <= 14, minutes < 60 else { throw ValidationError("invalid UTC offset '\(text)': expected e.g. +02:00") }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    func run() throws {
        let inputs = files.isEmpty ? ["-"] : files
        var kills: [OOMKill] = []
        var unreadable = false
        let currentYear = Calendar(identifier: .gregorian).component(.year, from: Date())
        for path in inputs {
            let bytes: [UInt8]
            do {
                bytes = try Self.read(path)
            } catch {
                StandardStream.writeError("oomwatch parse: \(error)\n")
                unreadable = true
                continue
            }
            let options = KernelLogDecoder.Options(format: format, year: year ?? currentYear, utcOffsetSeconds: utcOffset)
            let analysis = KernelLogAnalysis.analyze(bytes, options: options)
            kills += analysis.kills
            let name = path == "-" ? "standard input" : path
            StandardStream.writeError(
                "\(name): \(analysis.format.rawValue), \(analysis.decoderCounters.linesRead) lines, \(analysis.kills.count) kills, \(analysis.kernelErrors.count) kernel errors\n")
        }
        let chosen = output ?? (TerminalSize.standardOutputIsTerminal ? .table : .json)
        switch chosen {
        case .json:
            let lines = try KillReportRenderer.jsonLines(kills)
            if !lines.isEmpty { print(lines, terminator: lines.hasSuffix("\n") ? "" : "\n") }
            StandardStream.writeError(KillReportRenderer.summary(kills))
        case .table:
            print(KillReportRenderer.table(kills))
            print(KillReportRenderer.summary(kills))
        }
        if unreadable { throw ExitCode.failure }
    }

    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return try StandardStream.readInput() }
        return try SmallFile.read(path, limit: 4 << 30)
    }
}
