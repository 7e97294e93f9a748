#if canImport(Glibc)
import Glibc
#endif

/// Gives freed heap memory back to the kernel (glibc's `malloc_trim(0)`).
///
/// glibc returns freed heap memory only from the top of the heap; pages freed below a block still in use
/// stay resident. After a burst of scrapes (dozens of 3.6 MiB pages rendered at once at 1,000 pods) that
/// was ~1.6 MiB, kept until the process ended. `malloc_trim` releases every whole free page of the heap
/// (`MADV_DONTNEED`), wherever it lies. The daemon calls it after each poll (`CgroupPollingService`, every
/// 5 s) and with each code trim (`CodeTrimService`, the backstop while no poll runs). Other C libraries: no-op.
public enum HeapTrimmer {
    /// Releases free heap pages; true when glibc released any (false also without glibc).
    @discardableResult
    public static func trim() -> Bool {
        guard let mallocTrim else { return false }
        return mallocTrim(0) == 1
    }

    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim`, looked up once (<malloc.h> is not in Swift's Glibc module); nil elsewhere.
    private static let mallocTrim: MallocTrim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: MallocTrim.self)
        #else
        return nil
        #endif
    }()
}
