import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchCore

/// `oomwatch status`: one screen about the node from a running daemon.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running daemon's view of the node: readiness, capacity, slices against their limits, alerts, findings, recent kills."
    )

    @OptionGroup var client: ClientOptions

    @Option(help: ArgumentHelp("Window for the slices' peak usage, e.g. 15m, 1h, 24h.", valueName: "duration"),
            transform: { try RunCommand.positiveDuration($0) })
    var window: Duration = .seconds(3600)

    @Option(help: "How many recent kills to list.")
    var kills: Int = 5

    func validate() throws {
        guard kills >= 0 && kills <= EventQuery.maximumLimit else { throw ValidationError("--kills must be from 0 to \(EventQuery.maximumLimit)") }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    func run() async throws {
        let queries = client.queries
        let windowSeconds = max(60, min(window.components.seconds, 7 * 86_400))
        try await client.present {
            let now = client.nowMicros
            let report = try queries.statusReport(nowMicros: now, windowSeconds: windowSeconds, kills: kills)
            switch client.output {
            case .json: return String(decoding: try Self.encoder.encode(report), as: UTF8.self) + "\n"
            case .text: return StatusTextRenderer.render(report, nowMicros: now, width: client.width)
            }
        }
    }
}
