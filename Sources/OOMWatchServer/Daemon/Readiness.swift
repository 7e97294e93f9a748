import Synchronization

/// Readiness of the daemon's parts (journal, cgroups, ...). `/readyz` is 200 only when every registered
/// part is ready, and says which is not and why.
public final class Readiness: Sendable {
    /// One part's state.
    public struct Status: Sendable, Equatable {
        public var ready: Bool
        public var detail: String
    }

    private let parts = Mutex<[String: Status]>([:])

    public init() {}

    /// Records `part`'s state; `detail` is a short human explanation.
    public func set(_ part: String, ready: Bool, detail: String) {
        parts.withLock { $0[part] = Status(ready: ready, detail: detail) }
    }

    /// Forgets a part (it no longer takes part in readiness).
    public func remove(_ part: String) {
        _ = parts.withLock { $0.removeValue(forKey: part) }
    }

    /// Whether every part is ready, and one line per part, sorted by name.
    public func report() -> (ready: Bool, lines: [String]) {
        let snapshot = parts.withLock { $0 }
        let lines = snapshot.keys.sorted().map { name -> String in
            let status = snapshot[name]!
            return "\(name): \(status.ready ? "ready" : "not ready") - \(status.detail)"
        }
        return (snapshot.values.allSatisfy(\.ready), lines)
    }
}
