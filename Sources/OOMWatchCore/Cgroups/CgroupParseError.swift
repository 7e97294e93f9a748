/// Why a cgroup or procfs file could not be parsed. Line numbers are 1-based.
public enum CgroupParseError: Error, Sendable, Hashable, Codable {
    /// The file had no content.
    case empty
    /// A line had no key/value separator.
    case malformedLine(line: Int)
    /// A value that should be a number was not one (or overflowed 64 bits).
    case invalidNumber(line: Int)
    /// A key the format requires was absent.
    case missingKey(String)
}
