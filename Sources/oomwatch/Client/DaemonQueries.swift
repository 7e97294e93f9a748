#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchAdapters
import OOMWatchCore

/// The terminal commands' view of a running daemon: its JSON and text endpoints, decoded.
struct DaemonQueries {
    let client: PlainHTTPClient

    /// A failure talking to the daemon (exit code 1).
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(server: ServerURL, timeout: Duration = .seconds(10)) {
        client = PlainHTTPClient(server: server, timeout: timeout)
    }

    /// `GET path`, any status; transport errors become a `Failure` that names the daemon.
    func get(_ path: String) throws -> HTTPClientResponse {
        do {
            return try client.get(path)
        } catch {
            throw Failure(description: "cannot query the oomwatch daemon at \(client.server): \(error)")
        }
    }

    /// `GET path`, which must answer 200.
    func getOK(_ path: String) throws -> HTTPClientResponse {
        let response = try get(path)
        guard response.status == 200 else {
            throw Failure(description: "\(client.server)\(path) answered \(response.status): \(response.text.prefix(300))")
        }
        return response
    }

    /// `/events?limit=…&type=…&since=…`: the body as sent and the decoded events.
    func events(limit: Int, types: [String], since: String?) throws -> (body: [UInt8], events: [NodeEvent]) {
        var parameters = [("limit", String(limit))]
        if !types.isEmpty { parameters.append(("type", types.joined(separator: ","))) }
        if let since { parameters.append(("since", since)) }
        let response = try getOK("/events" + Self.query(parameters))
        struct Body: Decodable { let events: [NodeEvent] }
        return (response.body, try decode(Body.self, response, from: "/events").events)
    }

    /// `/readyz`: 200 ready, 503 not ready; one line per part after the first.
    func readiness() throws -> (ready: Bool, lines: [String]) {
        let response = try get("/readyz")
        guard response.status == 200 || response.status == 503 else {
            throw Failure(description: "\(client.server)/readyz answered \(response.status)")
        }
        let lines = response.text.split(separator: "\n").map(String.init)
        return (response.status == 200, Array(lines.dropFirst()))
    }

    /// `/history?cgroup=…&window=…`; nil when the daemon has no history for the cgroup (404).
    func history(cgroup: String, windowSeconds: Int64) throws -> HistoryQueryResult? {
        let response = try get("/history" + Self.query([("cgroup", cgroup), ("window", "\(windowSeconds)s")]))
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw Failure(description: "\(client.server)/history answered \(response.status): \(response.text.prefix(300))") }
        return try decode(HistoryQueryResult.self, response, from: "/history")
    }

    /// `oomwatch_node_memory_capacity_bytes` from `/metrics`; nil before the first poll.
    func capacityFromMetrics() throws -> Int64? {
        let text = try getOK("/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix("oomwatch_node_memory_capacity_bytes ") {
            if let value = Double(line.split(separator: " ")[1]), value > 0 { return Int64(value) }
        }
        return nil
    }

    /// `/diagnose`; nil when the daemon does not serve it (404) or has no diagnosis yet (503).
    func diagnosis() throws -> DiagnosisReport? {
        let response = try get("/diagnose")
        guard response.status == 200 else { return nil }
        return try decode(DiagnosisReport.self, response, from: "/diagnose")
    }

    /// `/alerts` (a list, or an object with an `alerts` list); nil when the daemon does not serve it.
    func alerts() throws -> [Alert]? {
        let response = try get("/alerts")
        guard response.status == 200 else { return nil }
        struct Body: Decodable { let alerts: [Alert] }
        return try decode(Body.self, response, from: "/alerts").alerts
    }

    /// Everything `oomwatch status` shows.
    func statusReport(nowMicros: Int64, windowSeconds: Int64, kills: Int) throws -> StatusReport {
        let readiness = try readiness()
        var slices: [StatusReport.SliceStatus] = []
        for entry in StatusSnapshot.chartedSlices {
            var found: HistoryQueryResult?
            for path in entry.paths {
                if let history = try history(cgroup: path, windowSeconds: windowSeconds) { found = history; break }
            }
            slices.append(StatusReport.SliceStatus(name: entry.name, history: found, windowSeconds: windowSeconds))
        }
        let diagnosis = try diagnosis()
        let capacity = try diagnosis.map(\.capacityBytes) ?? capacityFromMetrics()
        let killEvents = try events(limit: EventQuery.maximumLimit, types: [NodeEvent.Kind.oomKill.rawValue], since: nil).events
        let rows = killEvents.compactMap { KillRow($0) }
        return StatusReport(
            server: client.server.description, generatedAtMicros: nowMicros, ready: readiness.ready, readiness: readiness.lines,
            capacityBytes: capacity, allocatable: diagnosis?.allocatable, slices: slices, alerts: try alerts(),
            findings: diagnosis?.findings, recentKills: Array(rows.prefix(kills)), totalKills: rows.count)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClientResponse, from path: String) throws -> T {
        do {
            return try Self.decoder.decode(type, from: Data(response.body))
        } catch {
            throw Failure(description: "unexpected answer from \(client.server)\(path): \(error)")
        }
    }

    /// Dates as the daemon encodes them (RFC 3339, `DaemonJSON`), or as earlier builds did: Foundation's
    /// default, seconds since 2001-01-01.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                return Date(timeIntervalSinceReferenceDate: number)
            }
            let text = try container.decode(String.self)
            guard let micros = RFC3339.parseMicros(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date: \(text.prefix(40))")
            }
            return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        }
        return decoder
    }()

    /// `?a=1&b=x%2Fy` with values percent-encoded.
    static func query(_ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return "" }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        func encode(_ text: String) -> String {
            var out = ""
            for byte in text.utf8 {
                if allowed.contains(byte) {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "%" + (hex.count == 1 ? "0" + hex : hex)
                }
            }
            return out
        }
        return "?" + parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
