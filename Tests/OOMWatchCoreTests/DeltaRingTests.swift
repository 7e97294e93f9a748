import Testing
@testable import OOMWatchCore
import OOMWatchTestSupport

@Suite struct DeltaRingTests {
    /// A random value near `previous`, or anywhere in UInt32 (extremes included) now and then.
    static func wander(_ previous: UInt32, _ rng: inout SplitMix64) -> UInt32 {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: return 0
        case 1: return .max
        case 2: return UInt32.random(in: 0...UInt32.max, using: &rng)
        default:
            let step = Int64.random(in: -70_000...70_000, using: &rng)
            return UInt32(clamping: Int64(previous) + step)
        }
    }

    static func nextOffset(_ previous: UInt32, step: UInt32, _ rng: inout SplitMix64) -> UInt32 {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return previous                                                  // same second
        case 1: return UInt32.random(in: 0...UInt32.max, using: &rng)            // anywhere, even backwards
        case 2: return UInt32(clamping: Int64(previous) + Int64.random(in: 1...1000, using: &rng))  // unaligned
        default: return UInt32(clamping: Int64(previous) + Int64(step) * Int64.random(in: 1...3, using: &rng))
        }
    }

    @Test(arguments: [1, 2, 3, 17, 120])
    func keepsExactlyTheLastCapacityPointsOfAnySequence(capacity: Int) {
        for seed in UInt64(1)...20 {
            var rng = SplitMix64(seed: seed &* 7919 &+ UInt64(capacity))
            let step = [UInt32(1), 15, 60, 900][Int(seed % 4)]
            var ring = DeltaRing<DownsampledPoint>(capacity: capacity, offsetStep: step, typicalRecordBytes: 13)
            var expected: [DownsampledPoint] = []
            var point = DownsampledPoint(offset: 0, usageMin: 0, usageAvg: 0, usageMax: 0, workingSetMin: 0, workingSetAvg: 0, workingSetMax: 0)
            for _ in 0..<(capacity * 3 + 50) {
                let offset = Self.nextOffset(point.offset, step: step, &rng)
                let previous = point
                point = DownsampledPoint(offset: offset, field: { Self.wander(previous.field($0), &rng) })
                ring.append(point)
                expected.append(point)
                if expected.count > capacity { expected.removeFirst() }
                #expect(ring.count == expected.count)
            }
            let stored = Array(ring)
            let firstDifference = zip(stored, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(stored.count == expected.count && firstDifference == nil, "seed \(seed): first difference at point \(firstDifference ?? -1)")
            #expect(ring.first == expected.first && ring.last == expected.last, "seed \(seed)")
            #expect(ring.reservedBytes <= max(64, DeltaRing<DownsampledPoint>.worstCaseBytes(capacity: capacity) + 32), "seed \(seed)")
        }
    }

    @Test func aPollEveryFifteenSecondsMovingUpTo32MiBTakesFiveBytesAPoint() {
        var rng = SplitMix64(seed: 42)
        var ring = DeltaRing<FullResolutionPoint>(capacity: 120, typicalRecordBytes: 5)
        let reserved = ring.reservedBytes
        var usage: UInt32 = 262_144  // 1 GiB in 4 KiB units
        for i in 0..<1000 {
            usage = UInt32(Int64(usage) + Int64.random(in: -8191...8191, using: &rng))
            ring.append(FullResolutionPoint(offset: UInt32(i * 15), usage: usage, workingSet: usage / 2))
        }
        #expect(ring.count == 120 && ring.isFull)
        #expect(ring.encodedBytes <= 119 * 5)
        #expect(ring.reservedBytes == reserved, "the reservation holds it: no growth")
        #expect(reserved < 120 * MemoryLayout<FullResolutionPoint>.stride / 2)
        #expect(ring.last?.offset == 999 * 15 && ring.first?.offset == 880 * 15)
    }

    @Test func busierSeriesGrowTheRingUpToTheWorstCaseAndNoFurther() {
        var ring = DeltaRing<FullResolutionPoint>(capacity: 50, typicalRecordBytes: 5)
        let reserved = ring.reservedBytes
        // Every field jumping between 0 and UInt32.max: the largest difference each time.
        for i in 0..<500 {
            let value: UInt32 = i % 2 == 0 ? 0 : .max
            ring.append(FullResolutionPoint(offset: i % 2 == 0 ? 0 : .max, usage: value, workingSet: value))
        }
        #expect(ring.reservedBytes > reserved)
        #expect(ring.encodedBytes == 49 * DeltaRing<FullResolutionPoint>.maxRecordBytes)
        #expect(ring.reservedBytes <= DeltaRing<FullResolutionPoint>.worstCaseBytes(capacity: 50) + 32)
        #expect(Array(ring).map(\.usage) == (450..<500).map { $0 % 2 == 0 ? 0 : UInt32.max })
    }

    @Test func alignedBucketStartsTakeOneByte() {
        var ring = DeltaRing<DownsampledPoint>(capacity: 96, offsetStep: 900, typicalRecordBytes: 13)
        for i in 0..<200 {
            let v = UInt32(1000 + i % 3)
            ring.append(DownsampledPoint(offset: UInt32(i * 900), usageMin: v, usageAvg: v, usageMax: v, workingSetMin: v, workingSetAvg: v, workingSetMax: v))
        }
        // One byte for the offset (one bucket on) and one per field (moved by at most 2).
        #expect(ring.encodedBytes == 95 * 7)
        #expect(Array(ring).map(\.offset) == (104..<200).map { UInt32($0 * 900) })
    }

    @Test func zigzagRoundTripsTheWholeDifferenceRange() {
        for value: Int64 in [0, 1, -1, 63, -64, 64, 8191, -8192, Int64(UInt32.max), -Int64(UInt32.max), Int64.max, Int64.min] {
            #expect(unzigzag(zigzag(value)) == value)
        }
        #expect(zigzag(-1) == 1 && zigzag(1) == 2)
    }
}
