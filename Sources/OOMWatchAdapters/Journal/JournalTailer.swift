import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchCore
import Synchronization

/// Settings of a `JournalTailer`.
public struct JournalTailerConfiguration: Sendable {
    /// Which journal files to read.
    public var source: JournalSource
    /// Where to start.
    public var start: JournalStartPosition
    /// Replay bound (CLOCK_REALTIME µs): `.bootStart` and its fallbacks skip older entries
    /// (the history retention); nil replays the whole current boot.
    public var replayNotBeforeRealtimeMicros: UInt64?
    /// A previous run's saved cursor, for `.bootStart`: when its entry is older than the replay start
    /// (the daemon was down longer than the replay window, or across a reboot), reading starts right
    /// after it instead, so nothing after it is lost. When its entry is gone (vacuumed) or the cursor
    /// is malformed, a `cursorNotFound` warning is emitted and the replay starts as usual.
    public var resumeCursor: String?
    /// How far back a resume may reach (CLOCK_REALTIME µs; nil: no limit): a saved cursor older than this
    /// (a daemon stopped for months) is not followed; reading starts here, or at the replay bound when that
    /// is older, with a `savedPositionTooOld` warning. What happened before is not read, so not counted.
    public var resumeNotBeforeRealtimeMicros: UInt64?
    /// The current boot ID; nil reads the running kernel's (`/proc/sys/kernel/random/boot_id`).
    public var bootID: String?
    /// Keep following after the replay (true) or finish the stream at the end of the journal (false).
    public var follow: Bool
    /// How many events may wait for the consumer before the reader thread blocks.
    public var bufferCapacity: Int
    /// The `sd_journal_wait` timeout: the upper bound of how long stopping takes.
    public var waitTimeoutMicros: UInt64
    /// Retry policy for opening and read errors.
    public var retry: RetryBackoff
    /// Emit `.previousBoot` once, after the first successful open and before any entry.
    public var summarizePreviousBoot: Bool

    /// Creates a configuration; the defaults suit the daemon.
    public init(
        source: JournalSource = .system,
        start: JournalStartPosition = .bootStart,
        replayNotBeforeRealtimeMicros: UInt64? = nil,
        resumeCursor: String? = nil,
        resumeNotBeforeRealtimeMicros: UInt64? = nil,
        bootID: String? = nil,
        follow: Bool = true,
        bufferCapacity: Int = 4096,
        waitTimeoutMicros: UInt64 = 200_000,
        retry: RetryBackoff = RetryBackoff(),
        summarizePreviousBoot: Bool = false
    ) {
        self.source = source
        self.start = start
        self.replayNotBeforeRealtimeMicros = replayNotBeforeRealtimeMicros
        self.resumeCursor = resumeCursor
        self.resumeNotBeforeRealtimeMicros = resumeNotBeforeRealtimeMicros
        self.bootID = bootID
        self.follow = follow
        self.bufferCapacity = bufferCapacity
        self.waitTimeoutMicros = waitTimeoutMicros
        self.retry = retry
        self.summarizePreviousBoot = summarizePreviousBoot
    }
}

/// Reads kernel lines (`_TRANSPORT=kernel`) from the systemd journal on one dedicated thread and
/// hands them out as `JournalEvent`s: replay from the start position, `.replayFinished`, then live
/// lines woken by `sd_journal_wait`. Never drops: a slow consumer blocks the reader thread.
/// Survives missing directories, permission errors (retry with backoff, `.status` says why),
/// rotation, vacuuming and journald restarts (reopen and resume after the last delivered cursor).
/// The consumer persists cursors (see `CursorStore`); the tailer only reports them on each line.
public final class JournalTailer: Sendable {
    /// The events; iterate from one task. Ending the iteration stops the reader thread.
    public let events: BackPressuredStream<JournalEvent>
    private let configuration: JournalTailerConfiguration
    private let producer: BackPressuredProducer<JournalEvent>
    private let control = TailerControl()

    /// Creates a tailer; nothing is opened until `start()`.
    public init(configuration: JournalTailerConfiguration) {
        self.configuration = configuration
        (events, producer) = BackPressuredStream<JournalEvent>.make(capacity: configuration.bufferCapacity)
    }

    /// Starts the reader thread (once; later calls do nothing).
    public func start() {
        let configuration = configuration
        let producer = producer
        let control = control
        control.launch(name: "oomwatch-journal") {
            JournalTailLoop(configuration: configuration, producer: producer, control: control).run()
            producer.finish()
        } failed: { code in
            // No reader thread: say why and end the stream, so the consumer sees the source stop.
            let reason = "cannot start the reader thread: " + String(cString: strerror(code))
            _ = producer.send(.status(.failed(message: reason, retryInSeconds: 0)), shouldStop: { false })
            producer.finish()
        }
    }

    /// Asks the reader thread to stop; it ends within about `waitTimeoutMicros` and finishes the stream.
    public func stop() { control.stopRequested.store(true, ordering: .releasing) }

    /// True while the reader thread runs.
    public var isRunning: Bool { control.isRunning }

    /// Waits until the reader thread has ended; false on timeout.
    public func waitUntilStopped(timeoutSeconds: Double) async -> Bool {
        await control.waitUntilStopped(timeoutSeconds: timeoutSeconds)
    }
}

/// The dedicated thread of a blocking reader (journal, kmsg) and the flags it shares with its owner.
final class TailerControl: Sendable {
    let started = Atomic<Bool>(false)
    let running = Atomic<Bool>(false)
    let stopRequested = Atomic<Bool>(false)

    /// Runs `body` on a new thread named `name`, once; later calls do nothing. When no thread can be
    /// made (the process is at its thread limit), `body` does not run and `failed` gets the errno.
    func launch(name: String, _ body: @escaping @Sendable () -> Void, failed: (Int32) -> Void) {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        running.store(true, ordering: .releasing)
        if let code = DedicatedThread.start(name: name, {
            body()
            self.running.store(false, ordering: .releasing)
        }) {
            running.store(false, ordering: .releasing)
            failed(code)
        }
    }

    var isRunning: Bool { running.load(ordering: .acquiring) }

    /// Waits until the thread has ended; false on timeout.
    func waitUntilStopped(timeoutSeconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

/// The reader thread's state; lives and dies on that thread with its `SystemdJournal`.
private final class JournalTailLoop {
    private enum Outcome { case stopped, reopen(String) }

    private let configuration: JournalTailerConfiguration
    private let producer: BackPressuredProducer<JournalEvent>
    private let control: TailerControl
    private var lastDeliveredCursor: String?
    private var replayFinished = false
    private var previousBootReported = false
    private var failures = 0
    private var reopenReason: String?

    init(configuration: JournalTailerConfiguration, producer: BackPressuredProducer<JournalEvent>, control: TailerControl) {
        self.configuration = configuration
        self.producer = producer
        self.control = control
    }

    private var shouldStop: Bool {
        control.stopRequested.load(ordering: .acquiring) || producer.isTerminated
    }

    private func emit(_ event: JournalEvent) -> Bool {
        producer.send(event) { control.stopRequested.load(ordering: .acquiring) }
    }

    func run() {
        while !shouldStop {
            if let problem = JournalAccess.problem(for: configuration.source) {
                guard report(problem), backoff() else { return }
                continue
            }
            let journal: SystemdJournal
            do {
                journal = try SystemdJournal(source: configuration.source)
                try journal.addMatch("_TRANSPORT=kernel")
                // The first sd_journal_wait/process creates the inotify watches and reports
                // SD_JOURNAL_INVALIDATE for the files found at open. Consume it now, before reading,
                // so that files or entries added from here on are reported and not mistaken for a rotation.
                _ = try journal.startWatching()
            } catch {
                guard report(error), backoff() else { return }
                continue
            }
            let source = configuration.source.description
            let status: JournalStatus = if let reason = reopenReason {
                .reopened(source: source, reason: reason)
            } else {
                .opened(source: source)
            }
            guard emit(.status(status)) else { return }
            if configuration.summarizePreviousBoot, !previousBootReported {
                previousBootReported = true
                guard reportPreviousBoot() else { return }
            }
            do {
                let onEntry = try position(journal)
                failures = 0
                switch try follow(journal, onUndeliveredEntry: onEntry) {
                case .stopped: return
                case .reopen(let reason): reopenReason = reason
                }
            } catch {
                reopenReason = "after error: \(error)"
                guard report(error), backoff() else { return }
            }
        }
    }

    /// Reports a problem as a not-ready status; false when the stream ended.
    private func report(_ error: JournalError) -> Bool {
        let delay = configuration.retry.delay(attempt: failures)
        let status: JournalStatus
        switch error {
        case .directoryMissing(let path): status = .waitingForJournal(path: path, retryInSeconds: delay)
        case .permissionDenied(let path, _): status = .permissionDenied(path: path, message: error.description, retryInSeconds: delay)
        case .call(_, let code) where code == EACCES || code == EPERM:
            status = .permissionDenied(path: configuration.source.description, message: error.description, retryInSeconds: delay)
        case .call: status = .failed(message: error.description, retryInSeconds: delay)
        }
        return emit(.status(status))
    }

    /// Sleeps the backoff delay in small steps; false when asked to stop meanwhile.
    private func backoff() -> Bool {
        let delay = configuration.retry.delay(attempt: failures)
        failures += 1
        let deadline = DispatchTime.now() + .milliseconds(Int(delay * 1000))
        while DispatchTime.now() < deadline {
            if shouldStop { return false }
            usleep(20_000)
        }
        return !shouldStop
    }

    private func reportPreviousBoot() -> Bool {
        do {
            let current = try currentBoot()
            let summary = try BootHistory.previousBootSummary(source: configuration.source, currentBootID: current)
            return emit(.previousBoot(summary))
        } catch {
            return emit(.status(.failed(message: "cannot summarize the previous boot: \(error)", retryInSeconds: 0)))
        }
    }

    private func currentBoot() throws(JournalError) -> String {
        if let boot = configuration.bootID { return boot }
        return try SystemdJournal.currentBootID()
    }

    /// Positions the journal; true when it stands on an entry that must be delivered next.
    private func position(_ journal: SystemdJournal) throws(JournalError) -> Bool {
        if let cursor = lastDeliveredCursor {
            // Reopen: continue right after what was delivered. If that entry was vacuumed,
            // sd-journal places us at the first entry after its position: deliver that one.
            try journal.seekCursor(cursor)
            guard try journal.next() else { return false }
            if try journal.testCursor(cursor) { return false }
            guard emit(.status(.cursorNotFound(cursor: cursor, resumedAt: "the first entry after its position"))) else { return false }
            return true
        }
        switch configuration.start {
        case .end:
            try journal.seekTail()
            _ = try journal.previous()
            return false
        case .realtime(let micros):
            try journal.seekRealtime(micros)
            return false
        case .bootStart:
            if let resume = configuration.resumeCursor {
                switch try locate(resume, in: journal) {
                case .entry(let realtime, let boot):
                    let replayStart = configuration.replayNotBeforeRealtimeMicros ?? 0
                    if let limit = configuration.resumeNotBeforeRealtimeMicros, realtime < min(limit, replayStart) {
                        // Stopped for longer than a resume may reach: start at the limit (or the replay bound,
                        // when that reaches further), rather than read and count months of kernel messages.
                        let bound = min(limit, replayStart)
                        guard emit(.status(.savedPositionTooOld(cursor: resume, resumedAtRealtimeMicros: bound))) else { return false }
                        return try seekFirstEntry(journal, notBeforeRealtimeMicros: bound)
                    }
                    if try boot != currentBoot() || realtime < replayStart {
                        // Older than the replay would reach: continue right after it (it was processed).
                        return false
                    }
                case .notFound:
                    guard emit(.status(.cursorNotFound(cursor: resume, resumedAt: "the oldest retained entry of the current boot"))) else { return false }
                }
            }
            return try seekBootStart(journal)
        case .afterCursor(let cursor):
            do {
                try journal.seekCursor(cursor)
                if try journal.next(), try journal.testCursor(cursor) { return false }
            } catch where error.errno == EINVAL {
                // Malformed cursor: fall through to the fallback below.
            }
            guard emit(.status(.cursorNotFound(cursor: cursor, resumedAt: "the oldest entry of the current boot"))) else { return false }
            return try seekBootStart(journal)
        }
    }

    private enum CursorLocation { case entry(realtimeMicros: UInt64, bootID: String), notFound }

    /// Positions on the entry `cursor` names when it is still in the journal.
    private func locate(_ cursor: String, in journal: SystemdJournal) throws(JournalError) -> CursorLocation {
        do {
            try journal.seekCursor(cursor)
            guard try journal.next(), try journal.testCursor(cursor) else { return .notFound }
        } catch where error.errno == EINVAL {
            return .notFound
        }
        return .entry(realtimeMicros: try journal.realtimeMicros(), bootID: try journal.monotonic().bootID)
    }

    /// Positions on the first kernel entry (of any boot) at or after `micros`; at the end when there is none.
    private func seekFirstEntry(_ journal: SystemdJournal, notBeforeRealtimeMicros micros: UInt64) throws(JournalError) -> Bool {
        try journal.seekRealtime(micros)
        if try journal.next() { return true }
        try journal.seekTail()
        _ = try journal.previous()
        return false
    }

    /// Positions on the first kernel entry of the current boot within the replay bound.
    private func seekBootStart(_ journal: SystemdJournal) throws(JournalError) -> Bool {
        let boot = try currentBoot()
        journal.flushMatches()
        try journal.addMatch("_BOOT_ID=\(boot)")
        try journal.addMatch("_TRANSPORT=kernel")
        if let bound = configuration.replayNotBeforeRealtimeMicros {
            try journal.seekRealtime(bound)
        } else {
            try journal.seekHead()
        }
        let first = try journal.next() ? try journal.cursor() : nil
        journal.flushMatches()
        try journal.addMatch("_TRANSPORT=kernel")
        guard let first else {
            try journal.seekTail()
            _ = try journal.previous()
            return false
        }
        try journal.seekCursor(first)
        guard try journal.next(), try journal.testCursor(first) else {
            throw .call("sd_journal_test_cursor", errno: ESTALE)
        }
        return true
    }

    private func follow(_ journal: SystemdJournal, onUndeliveredEntry: Bool) throws(JournalError) -> Outcome {
        var pending = onUndeliveredEntry
        while true {
            if shouldStop { return .stopped }
            var hasEntry = pending
            pending = false
            if !hasEntry { hasEntry = try journal.next() }
            if hasEntry {
                let entry = try journal.entry()
                guard emit(.entry(entry.kernelLine)) else { return .stopped }
                lastDeliveredCursor = entry.cursor
                continue
            }
            if !replayFinished {
                replayFinished = true
                guard emit(.replayFinished) else { return .stopped }
                if !configuration.follow { return .stopped }
            }
            if try journal.wait(timeoutMicros: configuration.waitTimeoutMicros) == .filesChanged {
                return .reopen("journal files changed (rotation, vacuum or journald restart)")
            }
        }
    }
}
