/// A lock for tests that share one thing across suites (Swift Testing runs suites in parallel, and
/// `.serialized` only orders the tests inside one suite).
public actor AsyncLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

extension JournaldHarness {
    /// Tests that need journald (and tests that crash, rotate or stop it) take turns through this lock,
    /// so one test's journald restart never pulls the journal from under another's daemon.
    public static let exclusive = AsyncLock()

    /// Runs `body` with journald running (reused or started) while holding `exclusive`; stops a
    /// journald it started afterwards. Starting and stopping wait on a thread of their own: blocking
    /// Swift's cooperative pool (2 threads here) would stall every in-process daemon of other suites.
    public static func withJournald<T>(_ body: (JournaldHarness) async throws -> T) async throws -> T {
        await exclusive.acquire()
        let journald: JournaldHarness
        do {
            journald = try await Blocking.run { try startOrReuse() }
        } catch {
            await exclusive.release()
            throw error
        }
        // journald is stopped (and reaped) before the next test may look for a running one.
        do {
            let result = try await body(journald)
            await Blocking.run { journald.stop() }
            await exclusive.release()
            return result
        } catch {
            await Blocking.run { journald.stop() }
            await exclusive.release()
            throw error
        }
    }
}
