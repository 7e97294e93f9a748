import Synchronization

/// An async sequence fed by a blocking producer thread, with back-pressure instead of drops:
/// at most `capacity` elements wait for the consumer; beyond that `BackPressuredProducer.send`
/// blocks the producer thread until the consumer takes one (or the stream ends).
/// Ending iteration (task cancellation, dropping the sequence) tells the producer to stop.
public struct BackPressuredStream<Element: Sendable>: AsyncSequence, Sendable {
    let base: AsyncStream<Element>
    let credits: CreditGate

    /// Creates the stream and its producer side.
    static func make(capacity: Int) -> (BackPressuredStream, BackPressuredProducer<Element>) {
        let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: .unbounded)
        let credits = CreditGate(capacity: Swift.max(1, capacity))
        let producer = BackPressuredProducer(continuation: continuation, credits: credits)
        continuation.onTermination = { [producer] _ in producer.markTerminated() }
        return (BackPressuredStream(base: stream, credits: credits), producer)
    }

    /// Creates an iterator; iterate from one task only.
    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), credits: credits)
    }

    /// The iterator: hands a credit back to the producer for every element taken.
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<Element>.Iterator
        let credits: CreditGate

        /// The next element, or nil when the producer finished or the task was cancelled.
        public mutating func next() async -> Element? {
            let element = await base.next()
            if element != nil { credits.give() }
            return element
        }
    }
}

/// The producer side of a `BackPressuredStream`; used from one producer thread.
final class BackPressuredProducer<Element: Sendable>: Sendable {
    private let continuation: AsyncStream<Element>.Continuation
    private let credits: CreditGate
    private let terminated = Atomic<Bool>(false)

    init(continuation: AsyncStream<Element>.Continuation, credits: CreditGate) {
        self.continuation = continuation
        self.credits = credits
    }

    /// True once the consumer went away or `finish()` was called.
    var isTerminated: Bool { terminated.load(ordering: .acquiring) }

    func markTerminated() { terminated.store(true, ordering: .releasing) }

    /// Delivers `element`, blocking while the consumer is `capacity` elements behind.
    /// Returns false (element not delivered) when the stream ended or `shouldStop` became true.
    func send(_ element: Element, shouldStop: () -> Bool) -> Bool {
        while !credits.take(waitingAtMost: 0.1) {
            if isTerminated || shouldStop() { return false }
        }
        if isTerminated || shouldStop() {
            credits.give()
            return false
        }
        switch continuation.yield(element) {
        case .enqueued: return true
        case .dropped, .terminated:
            markTerminated()
            return false
        @unknown default: return false
        }
    }

    /// Ends the stream: the consumer sees nil after the buffered elements.
    func finish() {
        continuation.finish()
    }
}
