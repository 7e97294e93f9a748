/// One line of `/proc/<pid>/maps`: an address range, its permissions and the file it maps (if any).
public struct MemoryMapping: Sendable, Equatable {
    public var start: UInt
    public var end: UInt
    public var readable: Bool
    public var writable: Bool
    public var executable: Bool
    /// The mapped file's path as the kernel prints it (`(deleted)` suffix kept), `[heap]`-style names, or
    /// empty for anonymous memory.
    public var path: String

    public var length: UInt { end - start }

    /// Parses `55d8ae025000-55d8afe0a000 r-xp 00000000 fe:00 5400972    /usr/bin/oomwatch`; nil when the line
    /// is not of that shape. A path may contain spaces: everything after the inode is the path.
    public init?(line: Substring) {
        var rest = line[...]
        func nextField() -> Substring? {
            let trimmed = rest.drop(while: { $0 == " " })
            guard let end = trimmed.firstIndex(of: " ") else {
                rest = trimmed[trimmed.endIndex...]
                return trimmed.isEmpty ? nil : trimmed
            }
            rest = trimmed[end...]
            return trimmed[..<end]
        }
        guard let range = nextField(), let perms = nextField(), perms.utf8.count == 4,
              nextField() != nil, nextField() != nil, nextField() != nil   // offset, device, inode
        else { return nil }
        let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), start <= end else {
            return nil
        }
        let flags = Array(perms.utf8)
        self.start = start
        self.end = end
        readable = flags[0] == UInt8(ascii: "r")
        writable = flags[1] == UInt8(ascii: "w")
        executable = flags[2] == UInt8(ascii: "x")
        path = String(rest.drop(while: { $0 == " " }))
    }

    /// Every well-formed line of a maps file; malformed lines are skipped.
    public static func parse(_ text: String) -> [MemoryMapping] {
        text.split(separator: "\n").compactMap { MemoryMapping(line: $0) }
    }
}
