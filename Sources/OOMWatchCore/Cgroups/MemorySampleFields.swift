/// A set of the source files/fields that feed a `MemorySample`, used to say which ones
/// were missing (file absent: normal, e.g. no swap accounting) or unreadable (error).
/// Encodes to JSON as a sorted array of names.
public struct MemorySampleFields: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// v1 `memory.usage_in_bytes` / v2 `memory.current`.
    public static let usage = MemorySampleFields(rawValue: 1 << 0)
    /// v1 `memory.limit_in_bytes` / v2 `memory.max`.
    public static let limit = MemorySampleFields(rawValue: 1 << 1)
    /// v2 `memory.high`.
    public static let high = MemorySampleFields(rawValue: 1 << 2)
    /// `memory.stat`.
    public static let stat = MemorySampleFields(rawValue: 1 << 3)
    /// Swap usage: v1 `total_swap` in memory.stat, v2 `memory.swap.current`.
    public static let swap = MemorySampleFields(rawValue: 1 << 4)
    /// v1 `memory.failcnt`.
    public static let failcnt = MemorySampleFields(rawValue: 1 << 5)
    /// v1 `memory.oom_control`.
    public static let oomControl = MemorySampleFields(rawValue: 1 << 6)
    /// v2 `memory.events`.
    public static let events = MemorySampleFields(rawValue: 1 << 7)
    /// v1 `memory.memsw.usage_in_bytes`.
    public static let memswUsage = MemorySampleFields(rawValue: 1 << 8)
    /// v1 `memory.memsw.limit_in_bytes`.
    public static let memswLimit = MemorySampleFields(rawValue: 1 << 9)
    /// `memory.pressure` (v2, or the unified mirror on a hybrid host).
    public static let pressure = MemorySampleFields(rawValue: 1 << 10)
    /// `/proc/meminfo` (node sample on v2, where the root has no memory.current).
    public static let meminfo = MemorySampleFields(rawValue: 1 << 11)

    /// Every named field with its stable JSON name, in bit order.
    public static let named: [(MemorySampleFields, String)] = [
        (.usage, "usage"), (.limit, "limit"), (.high, "high"), (.stat, "stat"), (.swap, "swap"),
        (.failcnt, "failcnt"), (.oomControl, "oom_control"), (.events, "events"),
        (.memswUsage, "memsw_usage"), (.memswLimit, "memsw_limit"), (.pressure, "pressure"),
        (.meminfo, "meminfo"),
    ]

    /// The names of the members of this set, in bit order.
    public var names: [String] { Self.named.filter { contains($0.0) }.map(\.1) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let names = try container.decode([String].self)
        var result = MemorySampleFields()
        for name in names {
            guard let field = Self.named.first(where: { $0.1 == name }) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown field \(name)")
            }
            result.insert(field.0)
        }
        self = result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(names)
    }
}
