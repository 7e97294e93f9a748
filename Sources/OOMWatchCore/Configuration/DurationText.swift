/// Reads and writes durations as operators type them: `500ms`, `5s`, `1m`, `1h`, and combinations
/// such as `1m30s`. A bare number is rejected: the unit is always required.
public enum DurationText {
    /// Why a duration could not be read.
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        public let input: String
        public let reason: String
        public var description: String {
            "invalid duration '\(input)': \(reason) (expected e.g. 500ms, 5s, 1m, 1h, 1m30s)"
        }
    }

    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ms", 1_000_000), ("us", 1_000), ("µs", 1_000), ("ns", 1), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ]

    /// Parses `text` into a `Duration`. Negative or overflowing values are errors.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let input = text.trimmingASCIIWhitespace()
        guard !input.isEmpty else { throw ParseError(input: text, reason: "empty") }
        var rest = Substring(input)
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && ($0.isNumber || $0 == ".") })
            guard !digits.isEmpty else { throw ParseError(input: text, reason: "expected a number at '\(rest)'") }
            rest = rest.dropFirst(digits.count)
            guard let value = Double(digits), value.isFinite else {
                throw ParseError(input: text, reason: "'\(digits)' is not a number")
            }
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else {
                throw ParseError(input: text, reason: rest.isEmpty ? "missing unit" : "unknown unit at '\(rest)'")
            }
            rest = rest.dropFirst(unit.suffix.count)
            let nanos = value * Double(unit.nanoseconds)
            guard nanos < Double(Int64.max) - Double(total) else { throw ParseError(input: text, reason: "too large") }
            total += Int64(nanos.rounded())
        }
        return .nanoseconds(total)
    }

    /// Formats a duration in the shortest exact form this type reads back (`1m30s`, `500ms`).
    public static func format(_ duration: Duration) -> String {
        var nanos = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        if nanos == 0 { return "0s" }
        var out = nanos < 0 ? "-" : ""
        nanos = abs(nanos)
        for (suffix, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1)]
        where nanos >= size {
            out += "\(nanos / size)\(suffix)"
            nanos %= size
        }
        return out
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs and newlines.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
