/// The recent events of the node, bounded: at most `capacity` events are kept (the oldest go first), and
/// an event whose id is already kept is not added again, so a kill seen twice is listed once.
public struct EventLog: Sendable {
    public let capacity: Int
    private var events: RingBuffer<NodeEvent>
    private var ids: [String: Int] = [:]  // id → how many kept events carry it (0 or 1)

    public init(capacity: Int = 5_000) {
        self.capacity = max(1, capacity)
        self.events = RingBuffer(capacity: self.capacity)
    }

    /// Number of events kept.
    public var count: Int { events.count }

    /// Whether an event with this id is kept.
    public func contains(id: String) -> Bool { ids[id] != nil }

    /// Adds `event` unless one with its id is kept; returns whether it was added.
    @discardableResult
    public mutating func append(_ event: NodeEvent) -> Bool {
        guard ids[event.id] == nil else { return false }
        if events.isFull, let oldest = events.first {
            ids[oldest.id] = nil
        }
        events.append(event)
        ids[event.id] = 1
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
