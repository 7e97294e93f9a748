#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed sd-journal call or journal-related precondition, with the errno it reported.
public enum JournalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An sd-journal function returned a negative errno (`-r`), e.g. `.call("sd_journal_seek_cursor", errno: EINVAL)`.
    case call(String, errno: Int32)
    /// The journal directory (or OS root) does not exist (yet).
    case directoryMissing(String)
    /// Journal files or directories exist but this process may not read them.
    case permissionDenied(path: String, errno: Int32)

    /// Turns an sd-journal return value into a result: negative values throw `.call`.
    @discardableResult
    static func check(_ result: Int32, _ function: String) throws(JournalError) -> Int32 {
        if result < 0 { throw .call(function, errno: -result) }
        return result
    }

    /// The errno carried by the error.
    public var errno: Int32 {
        switch self {
        case .call(_, let code): code
        case .directoryMissing: ENOENT
        case .permissionDenied(_, let code): code
        }
    }

    /// A one-line explanation including `strerror`.
    public var description: String {
        switch self {
        case .call(let function, let code):
            "\(function) failed: \(Self.describe(code)) (errno \(code))"
        case .directoryMissing(let path):
            "journal directory \(path) does not exist"
        case .permissionDenied(let path, let code):
            "cannot read journal at \(path): \(Self.describe(code)); run as root or in group systemd-journal (or adm)"
        }
    }

    /// `strerror(code)` as a Swift string.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
