#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OOMWatchCore

/// The raw outcome of reading one file.
enum RawReadOutcome {
    /// Read `count` bytes into the reader's buffer.
    case read(count: Int)
    /// ENOENT/ENOTDIR/ENODEV: the file or its cgroup does not exist (any more).
    case missing
    /// Any other errno.
    case failed(errno: Int32)
}

/// Reads small kernel files with open/openat + read(2) into one reused buffer, and parses
/// them in place. Not thread-safe: one reader per poll owner. Counts problems and passes
/// them to `onProblem`.
final class CgroupFileReader {
    private var buffer: UnsafeMutableRawBufferPointer
    /// Maximum buffer size (a memory.stat is ~1–2 KiB; meminfo ~1.5 KiB).
    private let maximumSize = 1 << 20

    init(initialSize: Int = 16 * 1024) {
        buffer = .allocate(byteCount: initialSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Opens a directory for `openat`; nil with the outcome if it cannot be opened.
    func openDirectory(_ path: String) -> (fd: Int32?, outcome: RawReadOutcome) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { return (fd, .read(count: 0)) }
        return (nil, Self.classify(errno))
    }

    /// Reads `name` relative to `directoryFD` (or an absolute path with AT_FDCWD).
    func read(directoryFD: Int32, name: String) -> RawReadOutcome {
        var fd: Int32
        repeat { fd = openat(directoryFD, name, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return Self.classify(errno) }
        defer { close(fd) }
        var total = 0
        while true {
            if total == buffer.count {
                guard buffer.count < maximumSize else { return .failed(errno: EFBIG) }
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<total]))
                buffer.deallocate()
                buffer = bigger
            }
            let n = Glibc.read(fd, buffer.baseAddress! + total, buffer.count - total)
            if n > 0 {
                total += n
                // A short read is the end: regular files return less only at EOF, and cgroupfs/procfs
                // (seq_file) files hand over their whole text in one read when the buffer holds it. This
                // saves the read(2) that would return 0, a quarter of the syscalls of a poll.
                if total < buffer.count { return .read(count: total) }
                continue
            }
            if n == 0 { return .read(count: total) }
            let error = errno
            if error == EINTR { continue }
            return Self.classify(error)
        }
    }

    /// The bytes of the last successful read.
    func bytes(count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
    }

    static func classify(_ error: Int32) -> RawReadOutcome {
        switch error {
        case ENOENT, ENOTDIR, ENODEV: return .missing
        default: return .failed(errno: error)
        }
    }
}
