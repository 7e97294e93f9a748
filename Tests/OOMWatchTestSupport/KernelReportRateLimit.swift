import Foundation

/// The kernel prints the full OOM report (header, memcg state, the `oom-kill:` summary naming the
/// cgroups) at most 10 times per 5 s (`oom_kill_process`' ratelimit); beyond that only the
/// `Killed process` line appears, which names no cgroup. Tests that check attribution wait here until a
/// full report is certain; tests that kill in bursts record their kills.
public enum KernelReportRateLimit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var kills: [ContinuousClock.Instant] = []
    static let interval: Duration = .milliseconds(5_500)
    static let burst = 10

    /// Records a kill made by a test.
    public static func recordKill() {
        lock.withLock {
            let now = ContinuousClock.now
            kills.removeAll { now - $0 > interval }
            kills.append(now)
        }
    }

    /// Waits until the next kill's full report cannot be suppressed (fewer than half the burst in the
    /// last interval, else until the interval after the last kill has passed).
    public static func awaitFullReport() async {
        let wait: Duration = lock.withLock {
            let now = ContinuousClock.now
            kills.removeAll { now - $0 > interval }
            guard kills.count >= burst / 2, let last = kills.last else { return .zero }
            return interval - (now - last)
        }
        if wait > .zero { try? await Task.sleep(for: wait) }
    }
}
