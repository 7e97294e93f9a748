#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Persists the last processed journal cursor in a state directory, atomically:
/// write a temporary file, fsync it, rename it over the old one, fsync the directory.
/// A crash leaves either the old or the new cursor, never a torn one.
public struct CursorStore: Sendable {
    /// Why a cursor could not be saved (the caller reports it; the daemon keeps running).
    public enum SaveError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A system call failed on `path`.
        case system(operation: String, path: String, errno: Int32)

        /// One line including strerror.
        public var description: String {
            switch self {
            case .system(let operation, let path, let code):
                "cannot save journal cursor: \(operation) \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// What `load()` found.
    public enum LoadResult: Sendable, Hashable {
        /// A stored cursor.
        case cursor(String)
        /// No file (first start).
        case missing
        /// The file exists but does not hold a cursor (reason); start as if missing.
        case corrupt(String)
    }

    /// The state directory (`--state-dir`).
    public let directory: String
    /// The file name inside it.
    public let fileName: String

    /// Creates a store for `directory/fileName`.
    public init(directory: String, fileName: String = "journal.cursor") {
        self.directory = directory
        self.fileName = fileName
    }

    /// The full path of the cursor file.
    public var path: String { directory + "/" + fileName }

    /// Reads the stored cursor.
    public func load() -> LoadResult {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            return errno == ENOENT ? .missing : .corrupt("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= Self.maximumSize {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .corrupt("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        if bytes.count > Self.maximumSize { return .corrupt("\(path) is larger than \(Self.maximumSize) bytes") }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") { bytes.removeLast() }
        guard Self.isPlausibleCursor(bytes) else { return .corrupt("\(path) does not hold a journal cursor") }
        return .cursor(String(decoding: bytes, as: UTF8.self))
    }

    /// Replaces the stored cursor atomically and durably.
    public func save(_ cursor: String) throws(SaveError) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .system(operation: "open", path: temporary, errno: errno) }
        var data = Array(cursor.utf8)
        data.append(UInt8(ascii: "\n"))
        var written = 0
        while written < data.count {
            let count = data.withUnsafeBytes { raw in
                write(descriptor, UnsafeRawBufferPointer(rebasing: raw[written...]).baseAddress, raw.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw .system(operation: "write", path: temporary, errno: code)
            }
            written += count
        }
        if fsync(descriptor) != 0 {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw .system(operation: "fsync", path: temporary, errno: code)
        }
        close(descriptor)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw .system(operation: "rename", path: path, errno: code)
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { throw .system(operation: "open", path: directory, errno: errno) }
        defer { close(directoryDescriptor) }
        if fsync(directoryDescriptor) != 0 { throw .system(operation: "fsync", path: directory, errno: errno) }
    }

    static let maximumSize = 1024

    /// A cursor is printable ASCII with `key=value` parts separated by `;`.
    static func isPlausibleCursor(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 3, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return false }
        return bytes.contains(UInt8(ascii: "=")) && JournalCursorShape.hasKnownField(bytes)
    }
}

private enum JournalCursorShape {
    static func hasKnownField(_ bytes: [UInt8]) -> Bool {
        bytes.split(separator: UInt8(ascii: ";")).contains { part in
            part.count >= 2 && part[part.startIndex + 1] == UInt8(ascii: "=")
                && [UInt8(ascii: "s"), UInt8(ascii: "i"), UInt8(ascii: "b"), UInt8(ascii: "m"), UInt8(ascii: "t"), UInt8(ascii: "x")]
                    .contains(part[part.startIndex])
        }
    }
}
