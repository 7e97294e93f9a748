import Glibc
import OOMWatchCore

/// A running kubelet found in the process table.
public struct KubeletProcess: Sendable, Hashable {
    /// Its process id (in the scanned proc filesystem's namespace).
    public var pid: Int32
    /// Its argv.
    public var arguments: [String]
    /// The settings its command line sets.
    public var flags: KubeletFlags

    public init(pid: Int32, arguments: [String]) {
        self.pid = pid
        self.arguments = arguments
        self.flags = KubeletFlags.parse(arguments)
    }
}

/// Finds the kubelet by scanning `<procRoot>/*/cmdline` for a process whose argv[0] basename
/// is `kubelet` (or `hyperkube kubelet`). Needs the host's PID namespace (hostPID in a DaemonSet).
public struct KubeletProcessFinder: Sendable {
    /// The proc filesystem to scan (`/proc`, or `/host/proc` in a container).
    public let procRoot: String

    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    /// The kubelet with the lowest pid, or nil when none runs (or procRoot cannot be listed).
    public func find() -> KubeletProcess? {
        guard let directory = opendir(procRoot) else { return nil }
        defer { closedir(directory) }
        var pids: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let pid = Int32(name) else { continue }
            pids.append(pid)
        }
        for pid in pids.sorted() {
            // Processes come and go while we scan: an unreadable cmdline is simply skipped.
            guard let bytes = try? SmallFile.read("\(procRoot)/\(pid)/cmdline", limit: 256 * 1024), !bytes.isEmpty else { continue }
            let arguments = Self.arguments(fromCmdline: bytes)
            if Self.isKubelet(arguments) {
                return KubeletProcess(pid: pid, arguments: arguments)
            }
        }
        return nil
    }

    /// Splits a `/proc/<pid>/cmdline` (NUL-separated, usually NUL-terminated) into arguments.
    public static func arguments(fromCmdline bytes: [UInt8]) -> [String] {
        var trimmed = bytes[...]
        while trimmed.last == 0 { trimmed = trimmed.dropLast() }
        return trimmed.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// True when argv is a kubelet's: argv[0]'s basename is `kubelet`, or `hyperkube kubelet`.
    public static func isKubelet(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        let base = first.split(separator: "/").last.map(String.init) ?? first
        if base == "kubelet" { return true }
        return base == "hyperkube" && arguments.count > 1 && arguments[1] == "kubelet"
    }
}
