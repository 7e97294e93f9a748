import Foundation
import Testing
@testable import OOMWatchCore

@Suite struct MemorySampleAssemblerTests {
    @Test func v1SampleUsesHierarchicalStatsAndFlagsMissingFiles() {
        let stat = V1MemoryStat(rss: 1, cache: 2, inactiveFile: 3, totalRSS: 100, totalCache: 200, totalInactiveFile: 50)
        let sample = MemorySampleAssembler.assemble(V1MemoryReadings(
            usage: .value(1000), limit: .value(536_870_912), stat: .value(stat), failcnt: .value(4),
            oomControl: .value(V1OOMControl(oomKillDisable: false, underOOM: true, oomKill: 2)),
            memswUsage: .missing, memswLimit: .unreadable, pressure: .missing))
        #expect(sample == MemorySample(
            usageBytes: 1000, limitBytes: 536_870_912, highBytes: nil, workingSetBytes: 950, rssBytes: 100,
            cacheBytes: 200, swapBytes: nil, failcnt: 4, underOOM: true, oomEvents: nil, oomKillEvents: 2,
            oomGroupKillEvents: nil, memswUsageBytes: nil, memswLimitBytes: nil, pressure: nil,
            missingFields: [.swap, .memswUsage, .pressure], unreadableFields: [.memswLimit]))
    }

    @Test func workingSetFloorsAtZero() {
        #expect(MemorySample.workingSet(usage: 10, inactiveFile: 30) == 0)
        #expect(MemorySample.workingSet(usage: 30, inactiveFile: 10) == 20)
        let sample = MemorySampleAssembler.assemble(V2MemoryReadings(
            current: .value(4096), max: .value(nil), high: .value(nil), swapCurrent: .missing,
            stat: .value(V2MemoryStat(anon: 0, file: 8192, inactiveFile: 8192)), events: .unreadable, pressure: .missing))
        #expect(sample.workingSetBytes == 0)
        #expect(sample.limitBytes == nil)
        #expect(sample.missingFields == [.swap, .pressure])
        #expect(sample.unreadableFields == [.events])
    }

    @Test func nodeSampleFromMeminfo() {
        let info = NodeMemoryInfo(
            memTotalBytes: 1000 * 4096, memFreeBytes: 400 * 4096, buffersBytes: 10 * 4096, cachedBytes: 90 * 4096,
            anonPagesBytes: 300 * 4096, inactiveFileBytes: 50 * 4096, swapTotalBytes: 100 * 4096, swapFreeBytes: 60 * 4096)
        let psi = PressureStall(some: PressureStallLine(avg10: 1, avg60: 2, avg300: 3, totalMicros: 4), full: nil)
        #expect(MemorySampleAssembler.assembleNode(meminfo: info, pressure: .value(psi)) == MemorySample(
            usageBytes: 600 * 4096, limitBytes: nil, workingSetBytes: 550 * 4096, rssBytes: 300 * 4096,
            cacheBytes: 100 * 4096, swapBytes: 40 * 4096, pressure: psi))
    }

    @Test func sampleEncodesFieldSetsAsNames() throws {
        let sample = MemorySample(usageBytes: 1, workingSetBytes: 1, missingFields: [.swap, .pressure], unreadableFields: [.stat])
        let json = String(decoding: try JSONEncoder().encode(sample), as: UTF8.self)
        #expect(json.contains("\"missingFields\":[\"swap\",\"pressure\"]"))
        #expect(json.contains("\"unreadableFields\":[\"stat\"]"))
        #expect(try JSONDecoder().decode(MemorySample.self, from: Data(json.utf8)) == sample)
    }

    @Test func warningRateLimiterCountsSuppressed() {
        var limiter = WarningRateLimiter(intervalSeconds: 60, maxKeys: 2)
        #expect(limiter.admit(key: "a", now: 0) == 0)
        #expect(limiter.admit(key: "a", now: 10) == nil)
        #expect(limiter.admit(key: "a", now: 59) == nil)
        #expect(limiter.admit(key: "b", now: 59) == 0)
        #expect(limiter.admit(key: "a", now: 60) == 2)
        #expect(limiter.admit(key: "a", now: 61) == nil)
        #expect(limiter.admit(key: "c", now: 62) == 0)   // evicts the oldest key ("b")
        #expect(limiter.admit(key: "b", now: 63) == 0)   // forgotten, so admitted fresh
    }
}
