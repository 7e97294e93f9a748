#if canImport(Glibc)
import Glibc
#endif

/// glibc malloc settings for a long-running daemon with a small, steady heap and a few large transient
/// buffers (a 3.6 MiB `/metrics` page at 3,000 cgroups).
///
/// By default glibc raises its mmap threshold each time a large mmapped block is freed, so later pages of
/// that size come from the heap and stay resident after they are freed; and every thread that allocates
/// gets an arena of its own (up to 8 per core), each keeping its freed memory. Measured at 1,000 pods,
/// that grew the daemon from 43 to 66 MiB in a minute of scrapes. A fixed threshold returns every large
/// buffer to the kernel when it is freed, and one arena keeps no per-thread caches (the daemon allocates
/// little, from few threads: measured 40.9 → 40.4 MiB and no CPU cost against two arenas).
public enum AllocatorTuning {
    /// Blocks of at least this size are mmapped (and unmapped on free).
    public static let mmapThresholdBytes: Int32 = 128 * 1024
    /// Most malloc arenas.
    public static let maxArenas: Int32 = 1

    /// Applies the settings; returns false if glibc refused one (other C libraries: no-op, true).
    @discardableResult
    public static func apply() -> Bool {
        #if canImport(Glibc)
        // <malloc.h> is not in Swift's Glibc module: look mallopt up and use its parameter numbers.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let mmapThreshold: Int32 = -3, arenaMax: Int32 = -8   // M_MMAP_THRESHOLD, M_ARENA_MAX
        let threshold = mallopt(mmapThreshold, mmapThresholdBytes)
        let arenas = mallopt(arenaMax, maxArenas)
        return threshold == 1 && arenas == 1
        #else
        return true
        #endif
    }
}
