#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON of the daemon's HTTP API (`/events`, `/alerts`, `/diagnose`, `/history`): dates in RFC 3339
/// (`2026-11-23T17:20:00Z`, what `jq`'s `fromdate` and every client library read), keys sorted, slashes
/// unescaped in cgroup paths.
public enum DaemonJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
