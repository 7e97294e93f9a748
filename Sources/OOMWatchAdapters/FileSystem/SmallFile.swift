import Glibc

/// An error reading a file, with the path and the errno that caused it.
public struct FileReadError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot read \(path): \(String(cString: strerror(errno)))" }
    /// The file or one of its directories does not exist (a vanished cgroup, for example).
    public var isNotFound: Bool { errno == ENOENT || errno == ENODEV || errno == ENOTDIR }
}

/// Reads small files (procfs, sysfs, cgroupfs, state files) whole, with plain POSIX calls.
public enum SmallFile {
    /// Reads the whole file at `path`, up to `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 20) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}
