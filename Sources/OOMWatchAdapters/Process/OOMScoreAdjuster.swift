import Glibc
import OOMWatchCore

/// Lowers the daemon's own `oom_score_adj` (`/proc/self/oom_score_adj`) so that it survives a node OOM
/// longer than the workloads it reports on. Going below the current value needs CAP_SYS_RESOURCE; without
/// it the write fails with EACCES and the daemon keeps running with the value it has.
public struct OOMScoreAdjuster: Sendable {
    /// The outcome of one adjustment.
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// The value was lowered from `from` to `to`.
        case lowered(from: Int, to: Int)
        /// The value was already at or below the target and was kept.
        case kept(current: Int, target: Int)
        /// The kernel refused the write (no CAP_SYS_RESOURCE) or the file could not be read.
        case refused(current: Int?, target: Int, reason: String)

        public var description: String {
            switch self {
            case .lowered(let from, let to): "oom_score_adj lowered from \(from) to \(to)"
            case .kept(let current, let target): "oom_score_adj kept at \(current) (already at or below \(target))"
            case .refused(let current, let target, let reason):
                "oom_score_adj could not be set to \(target) (current \(current.map(String.init) ?? "unknown")): \(reason); "
                    + "the daemon may be OOM-killed before workloads: grant CAP_SYS_RESOURCE or set it from outside"
            }
        }
    }

    /// The file written (`<procRoot>/self/oom_score_adj`).
    public let path: String

    /// - Parameter procRoot: procfs root; the file is `<procRoot>/self/oom_score_adj`.
    public init(procRoot: String = "/proc") {
        self.path = procRoot + "/self/oom_score_adj"
    }

    /// Reads the current value; nil when unreadable or malformed.
    public func current() -> Int? {
        guard let bytes = try? SmallFile.read(path, limit: 64) else { return nil }
        return OOMScoreAdjustment.parse(bytes)
    }

    /// Lowers the value to `target` when it is higher; never raises it.
    public func apply(target: Int) -> Outcome {
        guard let current = current() else {
            return .refused(current: nil, target: target, reason: "cannot read \(path)")
        }
        let decision: OOMScoreAdjustment.Decision
        do {
            decision = try OOMScoreAdjustment.decide(current: current, target: target)
        } catch {
            return .refused(current: current, target: target, reason: error.description)
        }
        switch decision {
        case .keep(let value):
            return .kept(current: value, target: target)
        case .lower(let value):
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { return .refused(current: current, target: target, reason: "open: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let bytes = Array("\(value)\n".utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == bytes.count else {
                return .refused(current: current, target: target, reason: "write: \(String(cString: strerror(errno)))")
            }
            return .lowered(from: current, to: value)
        }
    }
}
