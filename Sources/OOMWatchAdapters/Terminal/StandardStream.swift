#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process's standard input, output and error as plain file descriptors (FileHandle is Foundation's,
/// which the daemon does not link).
public enum StandardStream {
    /// Writes all of `text` to standard output (retrying short writes and EINTR); false when it could not.
    @discardableResult
    public static func writeOutput(_ text: String) -> Bool { writeAll(text, to: STDOUT_FILENO) }

    /// Writes all of `text` to standard error; false when it could not.
    @discardableResult
    public static func writeError(_ text: String) -> Bool { writeAll(text, to: STDERR_FILENO) }

    /// Standard input read to its end (at most `limit` bytes).
    public static func readInput(limit: Int = Int.max) throws(FileReadError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: "standard input", errno: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    private static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
