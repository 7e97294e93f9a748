/// What `/events` was asked for: `?since=` (RFC 3339 time, Unix seconds, or a duration back from now such
/// as `10m`), `?limit=` (1…1000, default 100) and `?type=` (comma-separated kinds).
public struct EventQuery: Sendable, Hashable {
    public var sinceMicros: Int64?
    public var limit: Int
    public var kinds: Set<NodeEvent.Kind>

    public static let defaultLimit = 100
    public static let maximumLimit = 1_000

    public init(sinceMicros: Int64? = nil, limit: Int = EventQuery.defaultLimit, kinds: Set<NodeEvent.Kind> = []) {
        self.sinceMicros = sinceMicros
        self.limit = limit
        self.kinds = kinds
    }

    /// Why a query parameter was refused.
    public struct InvalidParameter: Error, Hashable, CustomStringConvertible {
        public let name: String
        public let value: String
        public let expected: String
        public var description: String { "invalid \(name)=\(value.prefix(100)): expected \(expected)" }
    }

    /// Reads the query parameters; `nowMicros` anchors relative `since` values.
    public init(parameters: [String: String], nowMicros: Int64) throws(InvalidParameter) {
        self.init()
        if let text = parameters["limit"] {
            guard let value = Int(text), value >= 1 else {
                throw InvalidParameter(name: "limit", value: text, expected: "a whole number from 1 to \(Self.maximumLimit)")
            }
            limit = min(value, Self.maximumLimit)
        }
        if let text = parameters["type"], !text.isEmpty {
            for name in text.split(separator: ",") {
                guard let kind = NodeEvent.Kind(rawValue: String(name)) else {
                    throw InvalidParameter(name: "type", value: text, expected: NodeEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                kinds.insert(kind)
            }
        }
        if let text = parameters["since"], !text.isEmpty {
            if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e11 {
                sinceMicros = Int64(seconds * 1_000_000)
            } else if let micros = RFC3339.parseMicros(text) {
                sinceMicros = micros
            } else if let duration = try? DurationText.parse(text) {
                let back = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
                sinceMicros = nowMicros - back
            } else {
                throw InvalidParameter(name: "since", value: text, expected: "an RFC 3339 time, Unix seconds, or a duration such as 10m")
            }
        }
    }
}

/// Minimal RFC 3339 reading (`2026-11-23T11:49:10Z`, fractions, `+01:00` offsets).
public enum RFC3339 {
    public static func parseMicros(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var micros = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 6 { micros = micros * 10 + Int(bytes[index] - 0x30); digits += 1 }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<6 { micros *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number((index + 1)..<(index + 3)), let minutes = number((index + 4)..<(index + 6)) else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        return CivilTime.micros(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                                micro: micros, utcOffsetSeconds: offsetSeconds)
    }
}
