#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A counting gate of credits (one per element the consumer may be behind), on a POSIX condition variable
/// timed on CLOCK_MONOTONIC (a stepped wall clock neither shortens nor stretches a wait). A DispatchSemaphore
/// cannot be used: libdispatch traps when one is released while its value is below the initial value, which
/// is the normal state of an abandoned stream.
final class CreditGate: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var available: Int  // guarded by `mutex`

    init(capacity: Int) {
        available = capacity
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Takes a credit, waiting up to `seconds`; false on timeout.
    func take(waitingAtMost seconds: Double) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard available == 0 else {
            available -= 1
            return true
        }
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let wait = max(0, min(seconds, 86_400 * 365))
        let whole = Int(wait)
        deadline.tv_sec += whole
        deadline.tv_nsec += Int((wait - Double(whole)) * 1e9)
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        while available == 0 {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT, available == 0 { return false }
        }
        available -= 1
        return true
    }

    /// Returns a credit.
    func give() {
        pthread_mutex_lock(mutex)
        available += 1
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }
}
