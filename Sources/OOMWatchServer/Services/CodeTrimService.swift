import Logging
import OOMWatchAdapters
import ServiceLifecycle

/// When to release the executable's start-up code pages: as soon as the daemon is ready (its journal caught
/// up and its first full poll done), again once the first scrapes have run, then now and again to shed code
/// that rare work (a burst of kills, a diagnosis page) pulled in.
public struct CodeTrimSchedule: Sendable, Equatable {
    /// Longest wait for readiness before the first trim (a daemon that never gets ready still trims).
    public var readyWait: Duration
    /// Delay from the first trim to the second.
    public var settle: Duration
    /// Period of the later trims.
    public var interval: Duration

    public init(readyWait: Duration, settle: Duration, interval: Duration) {
        self.readyWait = readyWait
        self.settle = settle
        self.interval = interval
    }

    /// At readiness (or after 60 s), 30 s later, then every 10 minutes. After each trim the steady loop
    /// faults the code it runs back in (the code mapping held ~9 MiB again at 1,000 pods, measured in smaps).
    public static let standard = CodeTrimSchedule(readyWait: .seconds(60), settle: .seconds(30), interval: .seconds(600))
}

/// Runs `ExecutableCodeTrimmer` (and `HeapTrimmer`) on a `CodeTrimSchedule`. A kernel that refuses (before Linux 5.4) gets
/// one warning and no more trims; the service then idles until the shutdown (`ServiceGroup` takes a service
/// that ends while others are being shut down for a failure).
struct CodeTrimService: Service {
    let schedule: CodeTrimSchedule
    let trimmer: ExecutableCodeTrimmer
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            let readyBy = clock.now.advanced(by: schedule.readyWait)
            while clock.now < readyBy, !readiness.report().ready {
                try await Task.sleep(for: .milliseconds(500))
            }
            var trims = 0
            while true {
                let outcome = trimmer.trim()
                // Freed heap too (pages freed below live blocks, e.g. after a burst of scrapes).
                HeapTrimmer.trim()
                if outcome.failure != nil {
                    logger.warning("\(outcome)")
                    return
                }
                if trims == 0 { logger.info("\(outcome)") } else { logger.debug("\(outcome)") }
                trims += 1
                try await Task.sleep(for: trims == 1 ? schedule.settle : schedule.interval)
            }
        }
        try? await gracefulShutdown()
    }
}
