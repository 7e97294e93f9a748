/// A ring of the last `capacity` history points, stored compressed and without loss: the oldest and the
/// newest point are kept whole, every other point as the differences of its offset and fields from the point
/// before it, zigzag- and varint-encoded (one byte for a difference of up to ±63, two up to ±8191: 32 MiB in
/// 4 KiB units). Memory samples move little between two polls, so a point takes 3–5 bytes instead of 12, a
/// 15-minute bucket 7–13 instead of 28.
///
/// Storage is one byte ring, reserved for `typicalRecordBytes` per point and grown by an eighth when the
/// points take more; it never exceeds `worstCaseBytes(capacity:)` (every difference at its largest). Appending
/// is O(1) and allocates only while growing; dropping the oldest point decodes one record.
public struct DeltaRing<Point: DeltaEncodablePoint>: Sequence {
    /// Most points held; appending to a full ring drops the oldest.
    public let capacity: Int
    /// Offsets are encoded in units of this many seconds when the difference is a multiple of it (bucket
    /// starts are), else in seconds.
    public let offsetStep: UInt32
    /// Points held.
    public private(set) var count = 0
    /// The oldest point.
    public private(set) var first: Point?
    /// The newest point.
    public private(set) var last: Point?
    /// The byte ring: records of the points after `first`, oldest first, starting at `start`.
    private var bytes: ContiguousArray<UInt8>
    private var start = 0
    /// Bytes of `bytes` holding records.
    public private(set) var encodedBytes = 0

    /// Largest encoded record: the offset and every field take at most five varint bytes.
    public static var maxRecordBytes: Int { 5 * (1 + Point.fieldCount) }

    /// Largest byte ring a ring of `capacity` points can need.
    public static func worstCaseBytes(capacity: Int) -> Int { Swift.max(0, capacity - 1) * maxRecordBytes }

    /// An empty ring of at most `capacity` (≥ 1) points, reserving `typicalRecordBytes` per point.
    public init(capacity: Int, offsetStep: UInt32 = 1, typicalRecordBytes: Int) {
        self.capacity = Swift.max(1, capacity)
        self.offsetStep = Swift.max(1, offsetStep)
        let typical = Swift.min(Swift.max(1, typicalRecordBytes), Self.maxRecordBytes)
        let reserved = self.capacity == 1 ? 0 : (self.capacity - 1) * typical + Self.maxRecordBytes
        bytes = ContiguousArray(repeating: 0, count: Swift.min(reserved, Self.worstCaseBytes(capacity: self.capacity)))
    }

    /// True when no point is held.
    public var isEmpty: Bool { count == 0 }
    /// True when the next append drops the oldest point.
    public var isFull: Bool { count == capacity }
    /// Bytes reserved for records (the byte ring's allocation).
    public var reservedBytes: Int { bytes.capacity }

    /// Appends `point`, dropping the oldest when full. Offsets are expected not to decrease (the history
    /// refuses older samples) but any sequence is stored exactly.
    public mutating func append(_ point: Point) {
        guard let previous = last else {
            first = point
            last = point
            count = 1
            return
        }
        if capacity == 1 {
            first = point
            last = point
            return
        }
        if count == capacity { dropFirst() }
        if bytes.count - encodedBytes < Self.maxRecordBytes { grow() }
        let step = offsetStep
        let position = (start + encodedBytes) % bytes.count
        let written = bytes.withUnsafeMutableBufferPointer { buffer in
            var writer = RecordWriter(buffer: buffer, position: position)
            let offsetDelta = Int64(point.offset) - Int64(previous.offset)
            if offsetDelta % Int64(step) == 0 {
                writer.write(zigzag(offsetDelta / Int64(step)) << 1)
            } else {
                writer.write(zigzag(offsetDelta) << 1 | 1)
            }
            for index in 0..<Point.fieldCount {
                writer.write(zigzag(Int64(point.field(index)) - Int64(previous.field(index))))
            }
            return writer.written
        }
        encodedBytes += written
        count += 1
        last = point
    }

    /// Drops the oldest point: the next one is decoded and kept whole.
    private mutating func dropFirst() {
        guard let oldest = first, count > 1 else { return }
        let (next, consumed) = bytes.withUnsafeBufferPointer { buffer in
            var reader = RecordReader(buffer: buffer, position: start)
            let point = Self.decode(after: oldest, from: &reader, offsetStep: offsetStep)
            return (point, reader.consumed)
        }
        first = next
        start = (start + consumed) % bytes.count
        encodedBytes -= consumed
        count -= 1
    }

    /// Reallocates the byte ring an eighth larger (at least one record more, at most the worst case), with
    /// the records moved to its start.
    private mutating func grow() {
        let size = bytes.count
        let wanted = Swift.max(encodedBytes + Self.maxRecordBytes, size + size / 8 + Self.maxRecordBytes)
        var grown = ContiguousArray<UInt8>(repeating: 0, count: Swift.min(wanted, Self.worstCaseBytes(capacity: capacity)))
        for index in 0..<encodedBytes { grown[index] = bytes[(start + index) % size] }
        bytes = grown
        start = 0
    }

    static func decode(after previous: Point, from reader: inout RecordReader, offsetStep: UInt32) -> Point {
        let encodedOffset = reader.read()
        let difference = unzigzag(encodedOffset >> 1)
        let offsetDelta = encodedOffset & 1 == 1 ? difference : difference &* Int64(offsetStep)
        let offset = UInt32(truncatingIfNeeded: Int64(previous.offset) &+ offsetDelta)
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Point.fieldCount) { values in
            for index in 0..<Point.fieldCount {
                values[index] = UInt32(truncatingIfNeeded: Int64(previous.field(index)) &+ unzigzag(reader.read()))
            }
            return Point(offset: offset, field: { values[$0] })
        }
    }

    /// Decodes the points oldest first.
    public struct Iterator: IteratorProtocol {
        let bytes: ContiguousArray<UInt8>
        let offsetStep: UInt32
        var position: Int
        var remaining: Int
        var current: Point?
        var started = false

        public mutating func next() -> Point? {
            guard remaining > 0, let previous = current else { return nil }
            remaining -= 1
            if !started {
                started = true
                return previous
            }
            let point = bytes.withUnsafeBufferPointer { buffer in
                var reader = RecordReader(buffer: buffer, position: position)
                let point = DeltaRing.decode(after: previous, from: &reader, offsetStep: offsetStep)
                position = reader.position
                return point
            }
            current = point
            return point
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(bytes: bytes, offsetStep: offsetStep, position: start, remaining: count, current: first)
    }

    public var underestimatedCount: Int { count }
}

extension DeltaRing: Sendable {}

/// Zigzag: small differences of either sign become small unsigned numbers (0, -1, 1, -2 → 0, 1, 2, 3).
@inline(__always)
func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

@inline(__always)
func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

/// Writes LEB128 varints into a byte ring, wrapping at its end.
struct RecordWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var position: Int
    var written = 0

    mutating func write(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            put(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        put(UInt8(rest))
    }

    private mutating func put(_ byte: UInt8) {
        buffer[position] = byte
        position = position + 1 == buffer.count ? 0 : position + 1
        written += 1
    }
}

/// Reads LEB128 varints from a byte ring, wrapping at its end.
struct RecordReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    var consumed = 0

    mutating func read() -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = buffer[position]
            position = position + 1 == buffer.count ? 0 : position + 1
            consumed += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 || shift >= 63 { return value }
            shift += 7
        }
    }
}
