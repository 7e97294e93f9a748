#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads symbolic links with readlink(2).
public enum SymbolicLink {
    /// The target of the symbolic link at `path` as stored (not resolved further); throws when `path` is
    /// not a symbolic link or cannot be read.
    public static func target(of path: String) throws(FileReadError) -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX))
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pointer.count) {
                readlink(path, $0, pointer.count)
            }
        }
        guard count > 0 else { throw FileReadError(path: path, errno: count == 0 ? ENOENT : errno) }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
