import Synchronization

/// Readiness of the daemon's parts (journal, cgroups, ...). `/readyz` is 200 only when every registered
/// part is ready, and says which is not and why.
public final class Readiness: Sendable {
    /// One part's state.
    public struct Status: Sendable, Equatable {
        public var ready: Bool
        public var detail: String
    }

    private struct Entry {
        var status: Status
        /// When the part is forgotten (a notice about something that happened), nil = kept until changed.
        var expiry: ContinuousClock.Instant?
    }

    private let parts = Mutex<[String: Entry]>([:])

    public init() {}

    /// Records `part`'s state; `detail` is a short human explanation.
    public func set(_ part: String, ready: Bool, detail: String) {
        parts.withLock { $0[part] = Entry(status: Status(ready: ready, detail: detail), expiry: nil) }
    }

    /// Records a ready notice about something that happened (the clock was stepped, a stretch of the journal
    /// was gone): shown for `duration`, then forgotten, unless set again.
    public func notice(_ part: String, for duration: Duration, detail: String, now: ContinuousClock.Instant = .now) {
        parts.withLock { $0[part] = Entry(status: Status(ready: true, detail: detail), expiry: now + duration) }
    }

    /// Forgets a part (it no longer takes part in readiness).
    public func remove(_ part: String) {
        _ = parts.withLock { $0.removeValue(forKey: part) }
    }

    /// Whether every part is ready, and one line per part, sorted by name (expired notices left out).
    public func report(now: ContinuousClock.Instant = .now) -> (ready: Bool, lines: [String]) {
        // An expired notice is only left out; setting the part again replaces it.
        let snapshot = parts.withLock { $0 }.filter { $0.value.expiry.map { now < $0 } ?? true }
        let lines = snapshot.keys.sorted().map { name -> String in
            let status = snapshot[name]!.status
            return "\(name): \(status.ready ? "ready" : "not ready") - \(status.detail)"
        }
        return (snapshot.values.allSatisfy(\.status.ready), lines)
    }

    /// How long notices about past events stay in `/readyz`.
    public static let noticeDuration: Duration = .seconds(3600)
}
