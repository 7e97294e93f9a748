#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The section headers of a 64-bit little-endian ELF file: where a named section lies in the file's
/// address space (before the load bias), read with pread(2) from the file itself.
public struct ELFSectionTable: Sendable {
    /// One allocated section.
    public struct Section: Sendable, Equatable {
        public var name: String
        /// Address in the file's layout (add the load bias of a position-independent executable).
        public var address: UInt64
        /// Where its bytes start in the file.
        public var fileOffset: UInt64
        public var size: UInt64
        public var writable: Bool
        public var executable: Bool
    }

    /// Why a file could not be read as ELF.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The allocated sections (those mapped at run time), in header order.
    public let sections: [Section]
    /// The lowest address a loadable segment asks for, page-aligned (0 for a position-independent
    /// executable): the running image's lowest mapping minus this is the load bias.
    public let lowestLoadAddress: UInt64?

    /// Reads the section headers of the file at `path`.
    public init(path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        func read(_ count: Int, at offset: UInt64) throws(Failure) -> [UInt8] {
            guard count >= 0, count <= 16 << 20 else { throw Failure(description: "\(path): implausible ELF table size \(count)") }
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(clamping: offset)) }
            guard got == count else { throw Failure(description: "\(path): short read of the ELF headers") }
            return bytes
        }
        let header = try read(64, at: 0)
        guard header[0] == 0x7F, header[1] == UInt8(ascii: "E"), header[2] == UInt8(ascii: "L"), header[3] == UInt8(ascii: "F"),
              header[4] == 2, header[5] == 1
        else { throw Failure(description: "\(path) is not a 64-bit little-endian ELF file") }
        let tableOffset = Self.integer(header, 0x28, 8)
        let entrySize = Int(Self.integer(header, 0x3A, 2))
        let count = Int(Self.integer(header, 0x3C, 2))
        let namesIndex = Int(Self.integer(header, 0x3E, 2))
        guard entrySize >= 64, count > 0, namesIndex < count else { throw Failure(description: "\(path) has no usable section table") }
        let table = try read(entrySize * count, at: tableOffset)
        func entry(_ index: Int, _ field: Int, _ width: Int) -> UInt64 { Self.integer(table, index * entrySize + field, width) }
        let namesOffset = entry(namesIndex, 0x18, 8)
        let namesSize = Int(entry(namesIndex, 0x20, 8))
        let names = try read(namesSize, at: namesOffset)
        var sections: [Section] = []
        for index in 0..<count {
            let flags = entry(index, 0x08, 8)
            guard flags & 0x2 != 0 else { continue }  // SHF_ALLOC
            let nameStart = Int(entry(index, 0x00, 4))
            guard nameStart < names.count else { continue }
            let nameEnd = names[nameStart...].firstIndex(of: 0) ?? names.count
            sections.append(Section(
                name: String(decoding: names[nameStart..<nameEnd], as: UTF8.self),
                address: entry(index, 0x10, 8), fileOffset: entry(index, 0x18, 8), size: entry(index, 0x20, 8),
                writable: flags & 0x1 != 0, executable: flags & 0x4 != 0))
        }
        self.sections = sections
        let programOffset = Self.integer(header, 0x20, 8)
        let programEntrySize = Int(Self.integer(header, 0x36, 2))
        let programCount = Int(Self.integer(header, 0x38, 2))
        var lowest: UInt64?
        if programEntrySize >= 56, programCount > 0 {
            let programs = try read(programEntrySize * programCount, at: programOffset)
            for index in 0..<programCount where Self.integer(programs, index * programEntrySize, 4) == 1 {  // PT_LOAD
                let address = Self.integer(programs, index * programEntrySize + 0x10, 8) & ~UInt64(4095)
                lowest = min(lowest ?? address, address)
            }
        }
        lowestLoadAddress = lowest
    }

    /// The allocated section named `name`.
    public func section(named name: String) -> Section? { sections.first { $0.name == name } }

    private static func integer(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }
}
