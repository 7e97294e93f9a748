/// The recent events of the node, bounded: at most `capacity` events are kept (the oldest go first), and
/// an event whose id is already kept is not added again, so a kill seen twice is listed once. The second
/// copy of a kill still enriches the first with what only it carries (the `oom_reaper` line the fast
/// path released before, the cgroups a rate-limited report left out).
public struct EventLog: Sendable {
    public let capacity: Int
    private var events: RingBuffer<NodeEvent>
    private var sequenceByID: [String: Int] = [:]  // id → the kept event's append sequence number
    private var appended = 0

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
        if let sequence = sequenceByID[event.id] {
            let position = sequence - (appended - events.count)
            if case .oomKill(let kept) = events[position].payload, case .oomKill(let other) = event.payload {
                let enriched = kept.enriched(with: other)
                if enriched != kept { events[position].payload = .oomKill(enriched) }
            }
            return false
        }
        if events.isFull, let oldest = events.first {
            sequenceByID[oldest.id] = nil
        }
        events.append(event)
        sequenceByID[event.id] = appended
        appended += 1
        return true
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
