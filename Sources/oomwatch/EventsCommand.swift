import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchCore

/// `oomwatch events`: the daemon's recent OOM kills and other events as a table (or its JSON).
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show a running daemon's recent OOM kills, kernel errors and unexpected reboots, newest first."
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "How many events to show (1-1000).")
    var limit: Int = 20

    @Option(help: ArgumentHelp("Only these kinds, comma-separated: oom_kill, kernel_error, node_reboot.", valueName: "kinds"))
    var type: String?

    @Option(help: ArgumentHelp("Only events since then: an RFC 3339 time, Unix seconds, or a duration back from now (10m, 2h).", valueName: "time"))
    var since: String?

    func validate() throws {
        guard (1...EventQuery.maximumLimit).contains(limit) else { throw ValidationError("--limit must be from 1 to \(EventQuery.maximumLimit)") }
        var parameters: [String: String] = [:]
        parameters["type"] = type
        parameters["since"] = since
        do {
            _ = try EventQuery(parameters: parameters, nowMicros: 0)
        } catch {
            throw ValidationError(error.description.replacing("invalid type=", with: "invalid --type ").replacing("invalid since=", with: "invalid --since "))
        }
    }

    func run() async throws {
        let queries = client.queries
        let types = type.map { $0.split(separator: ",").map(String.init) } ?? []
        try await client.present {
            let (body, events) = try queries.events(limit: limit, types: types, since: since)
            switch client.output {
            case .json:
                var text = String(decoding: body, as: UTF8.self)
                if !text.hasSuffix("\n") { text += "\n" }
                return text
            case .text:
                return EventsTextRenderer.render(events, nowMicros: client.nowMicros, width: client.width)
            }
        }
    }
}
