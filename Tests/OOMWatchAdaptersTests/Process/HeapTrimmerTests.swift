import Foundation
import Testing
@testable import OOMWatchAdapters

/// The daemon gives freed heap back to the kernel after each poll and with each code trim (`HeapTrimmer`, glibc's malloc_trim).
@Suite struct HeapTrimmerTests {
    /// This process's anonymous resident memory, KiB (`RssAnon` in /proc/self/status).
    static func residentAnonymousKilobytes() throws -> Int {
        let status = String(decoding: try SmallFile.read("/proc/self/status", limit: 1 << 20), as: UTF8.self)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    static var isGlibc: Bool { dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") != nil }

    /// 64 MiB freed below a block still in use stays resident (glibc trims only the heap's top) until the
    /// trim releases it.
    @Test(.enabled(if: isGlibc, "SKIPPED: malloc_trim is glibc's; other C libraries have no such call"))
    func freedHeapBelowALiveBlockIsReleasedByTheTrim() throws {
        let blockSize = 16 << 10, blocks = 4096   // under glibc's mmap threshold: from the heap
        var pointers: [UnsafeMutableRawPointer] = []
        pointers.reserveCapacity(blocks)
        for _ in 0..<blocks {
            let block = try #require(malloc(blockSize))
            memset(block, 0x5A, blockSize)   // make it resident
            pointers.append(block)
        }
        // A block allocated after them, kept: the freed blocks are not the heap's top, which free trims.
        let pin = try #require(malloc(blockSize))
        defer { free(pin) }
        for block in pointers { free(block) }
        let afterFree = try Self.residentAnonymousKilobytes()
        let released = HeapTrimmer.trim()
        let afterTrim = try Self.residentAnonymousKilobytes()
        #expect(released)
        // At least half of the 64 MiB (tests running beside this one allocate too).
        #expect(afterFree - afterTrim >= 32 << 10, "RssAnon \(afterFree) KiB after free, \(afterTrim) KiB after the trim")
    }
}
