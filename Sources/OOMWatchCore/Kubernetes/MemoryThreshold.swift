/// A kubelet memory threshold such as `evictionHard["memory.available"]`: an absolute
/// quantity (`100Mi`) or a percentage of node capacity (`5%`).
public enum MemoryThreshold: Sendable, Hashable, Codable {
    /// An absolute number of bytes.
    case bytes(Int64)
    /// A percentage of node memory capacity, 0–100.
    case percentage(Double)

    /// Parses `100Mi`, `1.5Gi`, `10%` or `7.5%`.
    public static func parse(_ text: String) throws(QuantityError) -> MemoryThreshold {
        var trimmed = Substring(text)
        while let first = trimmed.first, first == " " || first == "\t" { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
        guard trimmed.hasSuffix("%") else { return .bytes(try MemoryQuantity.bytes(text)) }
        let number = trimmed.dropLast()
        guard let value = Double(number), value.isFinite else {
            throw QuantityError(input: text, reason: .invalidNumber)
        }
        guard value >= 0 else { throw QuantityError(input: text, reason: .negative) }
        guard value <= 100 else { throw QuantityError(input: text, reason: .outOfRange) }
        return .percentage(value)
    }

    /// The threshold in bytes for a node with `capacity` bytes of memory (percentages round down, as kubelet does).
    public func bytes(ofCapacity capacity: Int64) -> Int64 {
        switch self {
        case .bytes(let bytes): return bytes
        case .percentage(let percent): return Int64((Double(capacity) * percent / 100).rounded(.down))
        }
    }

    /// The threshold as written in kubelet configuration (`100Mi` is shown as bytes, `10%` as a percentage).
    public var text: String {
        switch self {
        case .bytes(let bytes): return MemoryText.bytes(bytes)
        case .percentage(let percent): return MemoryText.plainNumber(percent) + "%"
        }
    }
}
