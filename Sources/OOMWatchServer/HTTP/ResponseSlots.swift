import Synchronization

/// A fixed number of slots for responses whose bodies are large (a `/metrics` page is 3.6 MiB at 1,000
/// pods): a slot is taken before the body is built and given back once the body is written, so the memory
/// held by such responses is bounded by the slot count, not by the number of connections (512).
final class ResponseSlots: Sendable {
    private let free: Mutex<Int>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        free = Mutex(self.capacity)
    }

    /// Takes a slot now if one is free.
    func tryAcquire() -> Bool {
        free.withLock { count in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
    }

    /// Takes a slot, waiting up to `timeout` for one (checking every 10 ms: waiting happens only when more
    /// than `capacity` large responses are asked for at once); false when none came free in time or the
    /// task was cancelled.
    func acquire(within timeout: Duration) async -> Bool {
        if tryAcquire() { return true }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(10)) } catch { return false }
            if tryAcquire() { return true }
        }
        return false
    }

    /// Gives a slot back.
    func release() {
        free.withLock { count in count = min(capacity, count + 1) }
    }

    /// Slots free now.
    var available: Int { free.withLock { $0 } }
}
