import Synchronization

/// A fixed number of slots for responses whose bodies are large (a `/metrics` page is 3.6 MiB at 1,000
/// pods): a slot is taken before the body is built and given back once the body is written, so the memory
/// held by such responses is bounded by the slot count, not by the number of connections (512). Waiters are
/// served first come, first served; a slot given back goes straight to the longest waiter.
final class ResponseSlots: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var free: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State(free: self.capacity))
    }

    /// Takes a slot now if one is free (and nobody waits for one).
    func tryAcquire() -> Bool {
        state.withLock { state in
            guard state.free > 0 else { return false }
            state.free -= 1
            return true
        }
    }

    /// Takes a slot, waiting up to `timeout` for one; false when none came free in time or the task was
    /// cancelled.
    func acquire(within timeout: Duration) async -> Bool {
        if tryAcquire() { return true }
        let id = state.withLock { state in
            state.nextID &+= 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let queued = state.withLock { state in
                    if state.free > 0 {
                        state.free -= 1
                        return false
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return true
                }
                guard queued else { return continuation.resume(returning: true) }
                Task { [self] in
                    try? await Task.sleep(for: timeout)
                    giveUp(id)
                }
            }
        } onCancel: {
            giveUp(id)
        }
    }

    /// Gives a slot back: to the longest waiter if there is one.
    func release() {
        let next: Waiter? = state.withLock { state in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.free = min(capacity, state.free + 1)
            return nil
        }
        next?.continuation.resume(returning: true)
    }

    /// Slots free now.
    var available: Int { state.withLock { $0.free } }

    /// Ends waiter `id`'s wait without a slot, if it still waits.
    private func giveUp(_ id: UInt64) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }
}
