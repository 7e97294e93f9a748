import Synchronization

/// A fixed number of slots for responses whose bodies are large (a `/metrics` page is 3.6 MiB at 1,000
/// pods): a slot is taken before the body is built and given back once the body is written, so the memory
/// held by such responses is bounded by the slot count, not by the number of connections (512). Waiters are
/// served first come, first served; a slot given back goes straight to the longest waiter.
final class ResponseSlots: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
        /// Ends the wait at its deadline; cancelled once the waiter is served, so it does not outlive the wait.
        var timer: Task<Void, Never>?
    }

    private struct State {
        var free: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private enum QueueEntry { case acquired, cancelled, queued }

    private let state: Mutex<State>
    private let timers = Atomic<Int>(0)
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
                // Under the lock, so a cancellation cannot slip between the check and the queueing: the task's
                // cancelled flag is set before `onCancel` runs, and `onCancel` finds the waiter once it is queued.
                let entry: QueueEntry = state.withLock { state in
                    if state.free > 0 {
                        state.free -= 1
                        return .acquired
                    }
                    if Task.isCancelled { return .cancelled }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch entry {
                case .acquired: return continuation.resume(returning: true)
                case .cancelled: return continuation.resume(returning: false)
                case .queued: break
                }
                timers.add(1, ordering: .relaxed)
                let timer = Task { [self] in
                    defer { timers.subtract(1, ordering: .relaxed) }
                    do { try await Task.sleep(for: timeout) } catch { return }
                    giveUp(id)
                }
                // Kept with the waiter, so serving it cancels the timer: left running, each served waiter's
                // timer held its task (about 1 KiB) for the whole timeout, 6 MiB under 16 scraping clients.
                let waiting = state.withLock { state in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
                    state.waiters[index].timer = timer
                    return true
                }
                if !waiting { timer.cancel() }
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
        next?.timer?.cancel()
        next?.continuation.resume(returning: true)
    }

    /// Slots free now.
    var available: Int { state.withLock { $0.free } }

    /// Wait timers still running (each one a task until its waiter is served or its deadline passes).
    var runningTimers: Int { timers.load(ordering: .relaxed) }

    /// Ends waiter `id`'s wait without a slot, if it still waits.
    private func giveUp(_ id: UInt64) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: false)
    }
}
