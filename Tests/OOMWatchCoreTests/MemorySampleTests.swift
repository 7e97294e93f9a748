import Foundation
import OOMWatchCore
import Testing

/// `MemorySample` stores its optional readings packed (sentinel nil, boxed pressure): it must still behave,
/// compare and encode as the plain struct of optionals it was.
@Suite struct MemorySampleTests {
    static let pressure = PressureStall(
        some: PressureStallLine(avg10: 0.5, avg60: 0.25, avg300: 0.125, totalMicros: 1_000),
        full: PressureStallLine(avg10: 0.1, avg60: 0.05, avg300: 0, totalMicros: 100))

    static let everyField = MemorySample(
        usageBytes: 1, limitBytes: 2, highBytes: 3, workingSetBytes: 4, rssBytes: 5, cacheBytes: 6, swapBytes: 7,
        failcnt: 8, underOOM: false, oomEvents: 9, oomKillEvents: 10, oomGroupKillEvents: 11, lowEvents: 12,
        highEvents: 13, maxEvents: 14, memswUsageBytes: 15, memswLimitBytes: 16, pressure: pressure,
        missingFields: [.usage], unreadableFields: [])

    @Test func itIsHalfThePlainStructsSize() {
        // 304 bytes with plain optionals; thousands are kept between pod reads.
        #expect(MemoryLayout<MemorySample>.stride <= 160)
    }

    @Test func nilZeroAndExtremesAreDistinct() {
        var sample = MemorySample(usageBytes: 0, workingSetBytes: 0)
        #expect(sample.limitBytes == nil && sample.underOOM == nil && sample.pressure == nil)
        sample.limitBytes = 0
        sample.underOOM = false
        #expect(sample.limitBytes == 0 && sample.underOOM == false)
        sample.underOOM = true
        #expect(sample.underOOM == true)
        sample.limitBytes = UInt64.max - 1
        #expect(sample.limitBytes == UInt64.max - 1)
        sample.limitBytes = UInt64.max  // the sentinel itself: kept as the largest value that is not nil
        #expect(sample.limitBytes == UInt64.max - 1)
        sample.limitBytes = nil
        sample.underOOM = nil
        #expect(sample == MemorySample(usageBytes: 0, workingSetBytes: 0))
    }

    @Test func everyFieldReadsBackAndTakesPartInEquality() {
        let sample = Self.everyField
        #expect(sample.limitBytes == 2 && sample.highBytes == 3 && sample.swapBytes == 7 && sample.failcnt == 8)
        #expect(sample.oomEvents == 9 && sample.oomKillEvents == 10 && sample.oomGroupKillEvents == 11)
        #expect(sample.lowEvents == 12 && sample.highEvents == 13 && sample.maxEvents == 14)
        #expect(sample.memswUsageBytes == 15 && sample.memswLimitBytes == 16 && sample.pressure == Self.pressure)
        let changes: [(inout MemorySample) -> Void] = [
            { $0.limitBytes = nil }, { $0.highBytes = 0 }, { $0.swapBytes = nil }, { $0.failcnt = 80 }, { $0.underOOM = true },
            { $0.oomEvents = nil }, { $0.oomKillEvents = 0 }, { $0.oomGroupKillEvents = nil }, { $0.lowEvents = 1 },
            { $0.highEvents = nil }, { $0.maxEvents = 0 }, { $0.memswUsageBytes = nil }, { $0.memswLimitBytes = 1 },
            { $0.pressure = nil }, { $0.pressure?.some.avg10 = 0.75 },
        ]
        for change in changes {
            var other = sample
            change(&other)
            #expect(other != sample)
            #expect(Set([other, sample]).count == 2)
        }
        var copy = sample
        copy.pressure?.some.avg10 = 0.75
        #expect(sample.pressure?.some.avg10 == 0.5, "a copy's change does not reach the original")
    }

    @Test func itEncodesAsThePlainStructDid() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let sparse = MemorySample(usageBytes: 10, limitBytes: 20, workingSetBytes: 5, failcnt: 0, missingFields: [.usage])
        let json = String(decoding: try encoder.encode(sparse), as: UTF8.self)
        // Synthesized Codable of the struct of optionals: nil readings left out.
        #expect(json == #"{"cacheBytes":0,"failcnt":0,"limitBytes":20,"missingFields":["usage"],"rssBytes":0,"unreadableFields":[],"usageBytes":10,"workingSetBytes":5}"#)
        for sample in [sparse, Self.everyField] {
            #expect(try JSONDecoder().decode(MemorySample.self, from: encoder.encode(sample)) == sample)
        }
    }
}
