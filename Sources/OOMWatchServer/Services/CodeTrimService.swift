import Logging
import OOMWatchAdapters
import ServiceLifecycle

/// When to release the executable's start-up code pages: once after start-up has run its course, then
/// now and again to shed code that rare work (a journal catch-up, a burst of kills, a diagnosis page) pulled in.
public struct CodeTrimSchedule: Sendable, Equatable {
    /// Delay after start: covers the journal catch-up, the first full poll and the first scrapes.
    public var warmUp: Duration
    /// Period of the later trims.
    public var interval: Duration

    public init(warmUp: Duration, interval: Duration) {
        self.warmUp = warmUp
        self.interval = interval
    }

    /// 30 s after start, then every 10 minutes. A trim costs the steady loop a few thousand minor faults
    /// (its code comes back from the page cache), a few milliseconds of CPU.
    public static let standard = CodeTrimSchedule(warmUp: .seconds(30), interval: .seconds(600))
}

/// Runs `ExecutableCodeTrimmer` on a `CodeTrimSchedule`. A kernel that refuses (before Linux 5.4) gets
/// one warning and the service ends; the daemon goes on without it.
struct CodeTrimService: Service {
    let schedule: CodeTrimSchedule
    let trimmer: ExecutableCodeTrimmer
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: schedule.warmUp)
            var first = true
            while true {
                let outcome = trimmer.trim()
                if outcome.failure != nil {
                    logger.warning("\(outcome)")
                    return
                }
                if first { logger.info("\(outcome)") } else { logger.debug("\(outcome)") }
                first = false
                try await Task.sleep(for: schedule.interval)
            }
        }
    }
}
