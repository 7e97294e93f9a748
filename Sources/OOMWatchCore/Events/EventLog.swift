/// The recent events of the node, bounded: at most `capacity` events are kept (the oldest go first), and
/// an event whose id is already kept is not added again, so a kill seen twice is listed once. The second
/// copy of a kill still enriches the first with what only it carries (the `oom_reaper` line the fast
/// path released before, the cgroups a rate-limited report left out).
///
/// A kill's id includes the kernel's timestamp of its line. A journal entry without that stamp
/// (`_SOURCE_MONOTONIC_TIMESTAMP`) gets journald's receive time instead, so its copy of a kill the kmsg fast
/// path already gave has another id: a kill of the same boot, pid and process name within
/// `twinWindowMicros` of a kept one is the same kill (the assembler's duplicate rule, across sources).
public struct EventLog: Sendable {
    public let capacity: Int
    private var events: RingBuffer<NodeEvent>
    private var sequenceByID: [String: Int] = [:]  // id → the kept event's append sequence number
    private var killSequencesByTwin: [KillTwinKey: [Int]] = [:]  // oldest first
    private var appended = 0

    /// How far apart two copies of one kill may be stamped (kernel stamp against journald's receive time).
    public static let twinWindowMicros: Int64 = 10_000_000

    /// What two copies of one kill share whatever their timestamps.
    private struct KillTwinKey: Hashable, Sendable {
        var bootID: String?
        var pid: Int
        var comm: [UInt8]

        init(_ kill: OOMKill) {
            bootID = kill.bootID
            pid = kill.victim.pid
            comm = kill.victim.comm.bytes
        }
    }

    public init(capacity: Int = 5_000) {
        self.capacity = max(1, capacity)
        self.events = RingBuffer(capacity: self.capacity)
    }

    /// Number of events kept.
    public var count: Int { events.count }

    /// Whether an event with this id is kept.
    public func contains(id: String) -> Bool { sequenceByID[id] != nil }

    /// Adds `event` unless one with its id is kept; returns whether it was added. A kill already kept
    /// takes the fields it lacks from `event`.
    @discardableResult
    public mutating func append(_ event: NodeEvent) -> Bool {
        let kill: OOMKill? = if case .oomKill(let kill) = event.payload { kill } else { nil }
        if let sequence = sequenceByID[event.id] ?? kill.flatMap(keptTwin) {
            let position = sequence - (appended - events.count)
            if case .oomKill(let kept) = events[position].payload, let kill {
                let enriched = kept.enriched(with: kill)
                if enriched != kept { events[position].payload = .oomKill(enriched) }
            }
            return false
        }
        if events.isFull, let oldest = events.first {
            sequenceByID[oldest.id] = nil
            if case .oomKill(let oldestKill) = oldest.payload {
                let key = KillTwinKey(oldestKill)
                killSequencesByTwin[key]?.removeFirst()
                if killSequencesByTwin[key]?.isEmpty == true { killSequencesByTwin[key] = nil }
            }
        }
        events.append(event)
        sequenceByID[event.id] = appended
        if let kill { killSequencesByTwin[KillTwinKey(kill), default: []].append(appended) }
        appended += 1
        return true
    }

    /// The sequence number of a kept kill that `kill` is another copy of, if any.
    private func keptTwin(of kill: OOMKill) -> Int? {
        guard let sequences = killSequencesByTwin[KillTwinKey(kill)] else { return nil }
        for sequence in sequences {
            guard case .oomKill(let kept) = events[sequence - (appended - events.count)].payload else { continue }
            if let a = kept.monotonicMicros, let b = kill.monotonicMicros {
                if abs(a - b) <= Self.twinWindowMicros { return sequence }
            } else if let a = kept.realtimeMicros, let b = kill.realtimeMicros, abs(a - b) <= Self.twinWindowMicros {
                return sequence
            }
        }
        return nil
    }

    /// Events matching `query`, newest first (by time, then by arrival).
    public func select(_ query: EventQuery) -> [NodeEvent] {
        var result: [NodeEvent] = []
        result.reserveCapacity(min(query.limit, events.count))
        let matching = events.enumerated().filter { _, event in
            (query.kinds.isEmpty || query.kinds.contains(event.kind))
                && (query.sinceMicros.map { event.realtimeMicros >= $0 } ?? true)
        }
        let ordered = matching.sorted { a, b in
            a.element.realtimeMicros != b.element.realtimeMicros ? a.element.realtimeMicros > b.element.realtimeMicros : a.offset > b.offset
        }
        for (_, event) in ordered.prefix(query.limit) { result.append(event) }
        return result
    }
}
