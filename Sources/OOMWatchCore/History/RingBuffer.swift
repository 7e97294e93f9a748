/// A fixed-capacity ring: appending to a full ring overwrites the oldest element. By default storage is
/// reserved in full at init and never reallocated (the buffer is not shared after init, so no
/// copy-on-write copies happen either while one owner mutates it).
public struct RingBuffer<Element>: RandomAccessCollection {
    private var storage: ContiguousArray<Element>
    /// Index in `storage` of the oldest element once the ring is full.
    private var head: Int = 0
    /// Maximum number of elements held.
    public let capacity: Int

    /// Creates an empty ring holding at most `capacity` (≥ 1) elements. `initialReservation` (default: all of
    /// `capacity`) is for rings that usually hold far fewer than their capacity: storage starts that small
    /// and grows by doubling as elements arrive; it holds at most `capacity` elements either way.
    public init(capacity: Int, initialReservation: Int? = nil) {
        self.capacity = Swift.max(1, capacity)
        storage = ContiguousArray()
        storage.reserveCapacity(Swift.min(self.capacity, Swift.max(1, initialReservation ?? self.capacity)))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }
    /// True when the next append overwrites the oldest element.
    public var isFull: Bool { storage.count == capacity }

    /// The element at logical position `i` (0 = oldest); settable in place.
    public subscript(i: Int) -> Element {
        get { storage[(head + i) % capacity] }
        set { storage[(head + i) % capacity] = newValue }
    }

    /// Appends, overwriting the oldest element when full. O(1); allocates only while a ring made with a
    /// smaller `initialReservation` grows.
    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = head + 1 == capacity ? 0 : head + 1
        }
    }

    /// Removes all elements, keeping the reserved storage.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    /// Bytes reserved for elements: the storage's capacity × stride (below `capacity` × stride while a ring
    /// made with a smaller `initialReservation` grows).
    public var reservedBytes: Int { storage.capacity * MemoryLayout<Element>.stride }
}

extension RingBuffer: Sendable where Element: Sendable {}
