import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors from the test harness.
public enum TestHarnessError: Error, CustomStringConvertible {
    case system(String, errno: Int32)
    case compileFailed(String)
    case allocatorNotReady(String)

    public var description: String {
        switch self {
        case .system(let what, let errno): return "\(what): \(String(cString: strerror(errno)))"
        case .compileFailed(let output): return "cc failed: \(output)"
        case .allocatorNotReady(let why): return "allocator not ready: \(why)"
        }
    }
}

/// A throwaway cgroup v1 memory subtree named `oomwatch-test-<pid>-<random>` for tests that
/// need real kernel accounting. Everything it creates is removed by `cleanup()` (deepest first,
/// retrying while tasks are still exiting); it never touches cgroups it did not create.
public final class ScratchCgroup: @unchecked Sendable {
    /// Default v1 memory controller mount.
    public static let defaultMemoryRoot = "/sys/fs/cgroup/memory"

    /// True when running as root with a writable v1 memory hierarchy at `memoryRoot`.
    public static func isAvailable(memoryRoot: String = defaultMemoryRoot) -> Bool {
        geteuid() == 0 && access(memoryRoot + "/memory.usage_in_bytes", F_OK) == 0 && access(memoryRoot, W_OK) == 0
    }

    /// The memory controller mount this subtree lives in.
    public let memoryRoot: String
    /// Directory name of the scratch root (`oomwatch-test-…`).
    public let name: String
    /// Absolute path of the scratch root.
    public var path: String { memoryRoot + "/" + name }
    /// The scratch root as a hierarchy prefix for samplers (`/oomwatch-test-…`).
    public var hierarchyPrefix: String { "/" + name }
    private var created: [String] = []
    private let lock = NSLock()

    /// Creates the scratch root `<memoryRoot>/oomwatch-test-<pid>-<random>[-label]`.
    public init(memoryRoot: String = defaultMemoryRoot, label: String = "") throws {
        self.memoryRoot = memoryRoot
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        name = "oomwatch-test-\(getpid())-\(suffix)" + (label.isEmpty ? "" : "-\(label)")
        try makeDirectory(path)
    }

    /// Creates `relative` (e.g. `kubepods/burstable/pod…/abc`) and any missing parents under the
    /// scratch root; returns its absolute path.
    @discardableResult
    public func create(_ relative: String) throws -> String {
        var current = path
        for component in relative.split(separator: "/") {
            current += "/" + component
            if access(current, F_OK) != 0 { try makeDirectory(current) }
        }
        return current
    }

    /// Absolute path of `relative` under the scratch root.
    public func absolute(_ relative: String) -> String {
        relative.isEmpty ? path : path + "/" + relative.split(separator: "/").joined(separator: "/")
    }

    /// Writes `memory.limit_in_bytes` of `relative`.
    public func setLimit(_ relative: String, bytes: UInt64) throws {
        try write(String(bytes), to: absolute(relative) + "/memory.limit_in_bytes")
    }

    /// Moves `pid` into `relative`.
    public func attach(pid: Int32, to relative: String) throws {
        try write(String(pid), to: absolute(relative) + "/cgroup.procs")
    }

    /// The file a child shell writes `$$` into to enter `relative` before exec.
    public func procsFile(_ relative: String) -> String { absolute(relative) + "/cgroup.procs" }

    /// Removes every directory this instance created, deepest first. Tasks must have exited;
    /// retries for up to `timeout` seconds while the kernel finishes tearing them down.
    public func cleanup(timeout: Double = 10) throws {
        lock.lock()
        defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        for directory in created.sorted(by: { $0.count > $1.count }) {
            while rmdir(directory) != 0 {
                let error = errno
                if error == ENOENT { break }
                if Date() > deadline { throw TestHarnessError.system("rmdir \(directory)", errno: error) }
                usleep(20_000)
            }
        }
        created.removeAll()
    }

    deinit { try? cleanup(timeout: 2) }

    private func makeDirectory(_ directory: String) throws {
        guard mkdir(directory, 0o755) == 0 else { throw TestHarnessError.system("mkdir \(directory)", errno: errno) }
        lock.lock()
        created.append(directory)
        lock.unlock()
    }

    private func write(_ text: String, to file: String) throws {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TestHarnessError.system("open \(file)", errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else {
            throw TestHarnessError.system("write \(file)", errno: errno)
        }
    }
}
