import Foundation
import Testing
import OOMWatchCore
@testable import OOMWatchAdapters

/// The daemon gives back its start-up code pages (`MADV_PAGEOUT` over its executable's read-only mappings).
@Suite struct ExecutableCodeTrimmerTests {
    /// Kilobytes resident in this process's read-only mappings of its own executable (smaps `Rss:`).
    static func residentExecutableKilobytes() throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var total = 0, inExecutable = false
        for line in try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8).split(separator: "\n") {
            if let mapping = MemoryMapping(line: line) {
                inExecutable = mapping.path == executable && !mapping.writable
            } else if inExecutable, line.hasPrefix("Rss:") {
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

    @Test(.enabled(if: kernelHasPageOut, "SKIPPED: MADV_PAGEOUT needs Linux 5.4 or later"))
    func trimmingReleasesResidentPagesOfTheRunningExecutable() throws {
        let trimmer = ExecutableCodeTrimmer()
        let mappings = try trimmer.executableMappings()
        #expect(mappings.contains { $0.executable }, "the code mapping of the test binary")
        #expect(mappings.allSatisfy { !$0.writable })
        let before = try Self.residentExecutableKilobytes()
        let outcome = trimmer.trim()
        let after = try Self.residentExecutableKilobytes()
        #expect(outcome.failure == nil)
        #expect(outcome.mappings == mappings.count)
        #expect(outcome.bytes == mappings.reduce(0) { $0 + $1.length })
        // Other tests run code meanwhile and fault some of it back, never all of what start-up touched.
        #expect(after < before, "resident \(before) KiB before, \(after) KiB after")
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
