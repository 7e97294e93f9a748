#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `posix_spawn` file actions the test harness and the benchmarks share.
public enum SpawnFileActions {
    /// Adds "close every descriptor from `lowest` up" to `actions`, so a child inherits only stdin, stdout
    /// and stderr. NIO's accepted sockets are not close-on-exec: a child holding a copy of one keeps that
    /// connection open after the server closes it. Returns false when the C library lacks
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc before 2.34), which Swift's C module does not
    /// export, so it is looked up at run time.
    @discardableResult
    public static func closeInherited(_ actions: inout posix_spawn_file_actions_t, from lowest: Int32 = 3) -> Bool {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return false
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest) == 0
    }
}
