#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One field's value in `journalctl -o json` output: a string, an array of byte numbers (a binary value),
/// `null` (a value journalctl left out as too large), or an array of those when the field repeats.
enum JournalJSONValue: Decodable, Equatable {
    case string(String)
    /// An array of integers: a binary value's bytes when all are 0…255.
    case integers([Int64])
    /// A number, as its decimal text.
    case number(String)
    case array([JournalJSONValue])
    case null
    /// An object or anything else journald does not write.
    case unsupported

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let integers = try? container.decode([Int64].self) {
            self = .integers(integers)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(String(integer))
        } else if let real = try? container.decode(Double.self) {
            self = .number(String(real))
        } else if let flag = try? container.decode(Bool.self) {
            self = .number(flag ? "1" : "0")
        } else if let items = try? container.decode([JournalJSONValue].self) {
            self = .array(items)
        } else {
            self = .unsupported
        }
    }

    /// The field's bytes: a string's UTF-8, a byte array's bytes, a number's text, the first value of a
    /// repeated field; nil for `null`, objects and integer arrays outside 0…255.
    var fieldBytes: [UInt8]? {
        switch self {
        case .string(let text): return Array(text.utf8)
        case .integers(let integers):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(integers.count)
            for value in integers {
                guard let byte = UInt8(exactly: value) else { return nil }
                bytes.append(byte)
            }
            return bytes
        case .number(let text): return Array(text.utf8)
        case .array(let items): return items.isEmpty ? [] : items[0].fieldBytes
        case .null, .unsupported: return nil
        }
    }
}
