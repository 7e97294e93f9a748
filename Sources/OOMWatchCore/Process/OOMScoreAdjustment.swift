/// How the daemon sets its own `oom_score_adj` so that a node-wide OOM kills workloads before the
/// monitor that reports on them. The daemon only ever lowers the value: a value already lower than
/// the target (kubelet gives `system-node-critical` pods −997, the runtime −999) is kept.
public enum OOMScoreAdjustment {
    /// The value the daemon asks for by default: below every pod QoS class except Guaranteed (−997)
    /// and above kubelet and the container runtime (−999), so those survive longer than oomwatch.
    public static let defaultTarget = -900
    /// The kernel's accepted range.
    public static let range = -1000...1000

    /// What to do, given the current value and the requested target.
    public enum Decision: Sendable, Equatable {
        /// Write `value` (it is lower than the current one).
        case lower(to: Int)
        /// Keep the current value: it is already at or below the target.
        case keep(current: Int)
    }

    /// Why a target cannot be used.
    public struct InvalidTarget: Error, Equatable, CustomStringConvertible {
        public let value: Int
        public init(value: Int) { self.value = value }
        public var description: String { "oom_score_adj must be within -1000...1000, got \(value)" }
    }

    /// Decides whether to lower `current` to `target`; never raises it.
    public static func decide(current: Int, target: Int) throws(InvalidTarget) -> Decision {
        guard range.contains(target) else { throw InvalidTarget(value: target) }
        return target < current ? .lower(to: target) : .keep(current: current)
    }

    /// Parses the content of `/proc/<pid>/oom_score_adj` (a decimal integer and a newline).
    public static func parse(_ bytes: some Collection<UInt8>) -> Int? {
        var text = String(decoding: bytes, as: UTF8.self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        guard let value = Int(text), range.contains(value) else { return nil }
        return value
    }
}
