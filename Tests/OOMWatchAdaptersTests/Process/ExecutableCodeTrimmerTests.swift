import Foundation
import Testing
import OOMWatchCore
@testable import OOMWatchAdapters

/// The daemon gives back its start-up code pages (`MADV_PAGEOUT` over its executable's read-only mappings).
@Suite struct ExecutableCodeTrimmerTests {
    /// Kilobytes resident in this process's read-only mappings of `path` (smaps `Rss:`).
    static func residentKilobytes(of path: String) throws -> Int {
        var total = 0, inFile = false
        // Read to the end with plain reads: Foundation's String(contentsOfFile:) stops early on this procfs file.
        let smaps = String(decoding: try SmallFile.read("/proc/self/smaps", limit: 256 << 20), as: UTF8.self)
        for line in smaps.split(separator: "\n") {
            if let mapping = MemoryMapping(line: line) {
                inFile = mapping.path == path && !mapping.writable
            } else if inFile, line.hasPrefix("Rss:") {
                total += Int(line.split(separator: " ")[1]) ?? 0
            }
        }
        return total
    }

    static var kernelHasPageOut: Bool {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        let parts = release.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return parts.count >= 2 && (parts[0], parts[1]) >= (5, 4)
    }

    @Test func theRunningExecutableIsFoundInItsOwnMaps() throws {
        let mappings = try ExecutableCodeTrimmer().executableMappings()
        #expect(mappings.contains { $0.executable }, "the code mapping of the test binary")
        #expect(mappings.allSatisfy { !$0.writable })
    }

    /// The real kernel call on a stand-in for the executable: a 4 MiB file on disk mapped read-only and read
    /// through (trimming the test runner itself would make every other test fault its code back in).
    @Test(.enabled(if: kernelHasPageOut, "SKIPPED: MADV_PAGEOUT needs Linux 5.4 or later"))
    func trimmingReleasesTheResidentPagesOfTheMappedFile() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let size = 4 << 20
        try scratch.file("oomwatch-stand-in", String(repeating: "x", count: size))
        let path = scratch.path + "/oomwatch-stand-in"
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let base = try #require(mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0))
        #expect(base != MAP_FAILED)
        defer { munmap(base, size) }
        var sum = 0
        for offset in stride(from: 0, to: size, by: 4096) { sum &+= Int(base.load(fromByteOffset: offset, as: UInt8.self)) }
        #expect(sum == (size / 4096) * Int(UInt8(ascii: "x")))
        try scratch.directory("proc")
        try scratch.symlink("proc/exe", to: path)
        try scratch.symlink("proc/maps", to: "/proc/self/maps")

        let before = try Self.residentKilobytes(of: path)
        let outcome = ExecutableCodeTrimmer(procSelf: scratch.path + "/proc").trim()
        let after = try Self.residentKilobytes(of: path)
        #expect(outcome.failure == nil, "\(outcome)")
        #expect(outcome.mappings == 1 && outcome.bytes == UInt(size))
        #expect(before >= size / 1024, "read through: all \(size / 1024) KiB resident, saw \(before)")
        #expect(after < before / 4, "resident \(before) KiB before, \(after) KiB after")
    }

    @Test func theSectionTableOfTheRunningExecutableLocatesItsCode() throws {
        let path = try SymbolicLink.target(of: "/proc/self/exe")
        let table = try ELFSectionTable(path: path)
        let text = try #require(table.section(named: ".text"))
        #expect(text.executable && !text.writable && text.size > 0)
        #expect(table.section(named: ".rodata") != nil)
        #expect(table.lowestLoadAddress == 0, "a position-independent executable")
        #expect(throws: ELFSectionTable.Failure.self) { try ELFSectionTable(path: "/proc/self/status") }
        #expect(throws: ELFSectionTable.Failure.self) { try ELFSectionTable(path: "/nonexistent/oomwatch") }
    }

    /// SwiftPM's links put the static runtime's writable input into `.rodata`, which makes it writable: the
    /// range is found in memory where the file's bytes are (the load bias is right).
    @Test func writableConstantDataIsFoundWhereTheFileSaysItIs() throws {
        let path = try SymbolicLink.target(of: "/proc/self/exe")
        let rodata = try #require(try ELFSectionTable(path: path).section(named: ".rodata"))
        let ranges = ExecutableCodeTrimmer().writableConstantData()
        guard rodata.writable else {
            #expect(ranges.isEmpty, "a read-only .rodata is left to the read-only mappings")
            return
        }
        let range = try #require(ranges.first)
        #expect(ranges.count == 1 && range.start % 4096 == 0 && range.length % 4096 == 0)
        #expect(UInt64(range.length) <= rodata.size && UInt64(range.length) + 8192 > rodata.size)
        // The first whole page of the section, in memory and in the file.
        let skip = (4096 - rodata.address % 4096) % 4096
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        var fromFile = [UInt8](repeating: 0, count: 4096)
        let got = fromFile.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4096, off_t(rodata.fileOffset + skip)) }
        #expect(got == 4096)
        let inMemory = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: range.start), count: 4096))
        #expect(inMemory == fromFile)
    }

    @Test func aRangeTheKernelRefusesIsAClearFailureNotACrash() throws {
        let fake = try TemporaryDirectory()
        defer { fake.remove() }
        try fake.symlink("exe", to: "/usr/bin/oomwatch-not-running")
        // Page-aligned but not mapped in this process: madvise fails with ENOMEM.
        try fake.file("maps", "7ff000000000-7ff000001000 r-xp 00000000 fe:00 42 /usr/bin/oomwatch-not-running\n")
        let outcome = ExecutableCodeTrimmer(procSelf: fake.path).trim()
        #expect(outcome.mappings == 0)
        #expect(outcome.failure?.contains("madvise(MADV_PAGEOUT)") == true, "\(outcome)")
        #expect("\(outcome)".hasPrefix("could not release start-up code pages"))
    }

    @Test func noMappingOfTheExecutableOrNoProcfsIsReportedAsSuch() throws {
        let fake = try TemporaryDirectory()
        defer { fake.remove() }
        #expect(ExecutableCodeTrimmer(procSelf: fake.path).trim().failure?.contains("cannot read") == true)
        try fake.symlink("exe", to: "/usr/bin/elsewhere")
        try fake.file("maps", "7ff000000000-7ff000001000 r-xp 00000000 fe:00 42 /usr/bin/other\n")
        #expect(ExecutableCodeTrimmer(procSelf: fake.path).trim().failure?.contains("no mapping of the executable") == true)
    }
}
