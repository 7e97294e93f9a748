#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OOMWatchCore

/// Gives back the pages of the daemon's own executable that only start-up used.
///
/// The binary is one static file of about 30 MiB of code and read-only data. Start-up (argument parsing,
/// the journal catch-up, the first full poll, the first scrape) touches code all over it, and each page
/// fault maps the 64 KiB around the faulting page (the kernel's fault-around), so after start-up about
/// 19 MiB of the file stays resident and is counted in the daemon's RSS and its memory cgroup although the
/// steady loop uses far less. `trim()` asks the kernel to reclaim those clean, file-backed pages
/// (`MADV_PAGEOUT`, Linux 5.4+); code the daemon runs afterwards faults back in (from disk when no other
/// process maps the file, since the kernel reclaims the pages from the page cache too).
/// Nothing is lost: the pages are unmodified copies of the file. Writable mappings are left alone, except
/// for the constant data (`.rodata`) when the link made it writable (lld gives an output section the flags
/// of all its inputs; this build's 37 MB `.rodata` is writable): its pages are read, never written, and
/// fault-around leaves ~2.5 MiB of it resident after start-up. Advising that range gives
/// back the clean file pages; a page that was written (none is expected) would be swapped, never lost.
public struct ExecutableCodeTrimmer: Sendable {
    /// What one trim did.
    public struct Outcome: Sendable, Equatable, CustomStringConvertible {
        /// Read-only mappings of the executable that were advised.
        public var mappings: Int
        /// Their total size (mapped, not necessarily resident), bytes.
        public var bytes: UInt
        /// Why the kernel refused (for example `MADV_PAGEOUT` before Linux 5.4), nil on success.
        public var failure: String?

        public var description: String {
            if let failure { return "could not release start-up code pages: \(failure)" }
            return "released start-up code pages (\(mappings) mappings, \(bytes >> 20) MiB mapped)"
        }
    }

    private let procSelf: String

    /// `procSelf` is injectable for tests; the daemon always trims itself.
    public init(procSelf: String = "/proc/self") {
        self.procSelf = procSelf
    }

    /// The read-only mappings of the running executable (its code and constant data).
    public func executableMappings() throws -> [MemoryMapping] {
        try imageMappings().mappings.filter(Self.isReadOnlyCode)
    }

    private static func isReadOnlyCode(_ mapping: MemoryMapping) -> Bool { !mapping.writable && mapping.length > 0 }

    /// Every mapping of the running executable, and its path.
    private func imageMappings() throws -> (executable: String, mappings: [MemoryMapping]) {
        let executable = try SymbolicLink.target(of: "\(procSelf)/exe")
        let maps = try SmallFile.read("\(procSelf)/maps", limit: 4 << 20)
        return (executable, MemoryMapping.parse(String(decoding: maps, as: UTF8.self)).filter { $0.path == executable })
    }

    /// Advises the kernel to reclaim the executable's resident read-only pages.
    public func trim() -> Outcome {
        let image: (executable: String, mappings: [MemoryMapping])
        do {
            image = try imageMappings()
        } catch {
            return Outcome(mappings: 0, bytes: 0, failure: "\(error)")
        }
        let mappings = image.mappings.filter(Self.isReadOnlyCode)
        guard !mappings.isEmpty else { return Outcome(mappings: 0, bytes: 0, failure: "no mapping of the executable in \(procSelf)/maps") }
        var outcome = Outcome(mappings: 0, bytes: 0, failure: nil)
        let ranges = mappings.map { (start: $0.start, length: $0.length) }
            + writableConstantData(executable: image.executable, image: image.mappings)
        for mapping in ranges {
            if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), Int(mapping.length), Self.pageOutAdvice) != 0 {
                let code = errno
                outcome.failure = "madvise(MADV_PAGEOUT): \(String(cString: strerror(code)))"
                    + (code == EINVAL ? " (the kernel predates Linux 5.4)" : "")
                return outcome
            }
            outcome.mappings += 1
            outcome.bytes += mapping.length
        }
        return outcome
    }

    /// The executable's `.rodata` when it lies in a writable mapping, as page-aligned ranges (whole pages
    /// inside the section only); empty when it is read-only (the mappings cover it) or cannot be located.
    public func writableConstantData() -> [(start: UInt, length: UInt)] {
        guard let image = try? imageMappings() else { return [] }
        return writableConstantData(executable: image.executable, image: image.mappings)
    }

    private func writableConstantData(executable: String, image: [MemoryMapping]) -> [(start: UInt, length: UInt)] {
        guard let table = try? ELFSectionTable(path: executable),
              let constant = table.section(named: ".rodata"), constant.writable,
              let lowestLoad = table.lowestLoadAddress
        else { return [] }
        guard let lowestMapping = image.map(\.start).min(), UInt64(lowestMapping) >= lowestLoad else { return [] }
        let bias = UInt64(lowestMapping) - lowestLoad
        let page: UInt64 = 4096
        let start = (bias + constant.address + page - 1) & ~(page - 1)
        let end = (bias + constant.address + constant.size) & ~(page - 1)
        // Only a range that the image's own writable mappings hold.
        guard end > start, image.contains(where: { $0.writable && UInt64($0.start) <= start && end <= UInt64($0.end) }) else { return [] }
        return [(UInt(start), UInt(end - start))]
    }

    /// `MADV_PAGEOUT` from <linux/mman.h>, which Swift's C library module does not export.
    static let pageOutAdvice: Int32 = 21
}
