#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Logging
import OOMWatchAdapters
import OOMWatchCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// Reads kernel messages (the journal, or /dev/kmsg when no journal can be opened), replays the window
/// needed to rebuild recent events, then follows live. Kills flow through a `KernelPipeline` into the
/// node state and the metrics; the position is saved in the state directory so a restart resumes
/// exactly after it.
struct KernelEventService: Service {
    let journal: JournalSource
    let kmsgPath: String
    let stateDirectory: String
    let kmsgFastPath: Bool
    let replayWindow: Duration
    /// How far back a daemon stopped for long resumes (see `DaemonConfiguration.catchUpLimit`).
    var catchUpLimit: Duration = .seconds(7 * 86_400)
    let node: NodeState
    let killMetrics: KillMetrics
    let sourceMetrics: KernelSourceMetrics
    let namer: PodNamer?
    let readiness: Readiness
    let logger: Logger
    /// Kills outside this cgroup are another node's (see `--cgroup-hierarchy-prefix`).
    var hierarchyPrefix: String = ""

    static let readinessPart = "kernel-log"
    static let fastPathPart = "kmsg-fast-path"
    static let positionPart = "journal-position"

    func run() async throws {
        readiness.set(Self.readinessPart, ready: false, detail: "opening a kernel log source")
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        } catch {
            readiness.set("state-dir", ready: false, detail: "cannot create \(stateDirectory): \(error)")
            logger.error("cannot create the state directory; the journal position will not survive a restart", metadata: [
                "path": "\(stateDirectory)", "error": "\(error)",
            ])
        }
        await cancelWhenGracefulShutdown { await self.readUntilCancelled() }
    }

    private func readUntilCancelled() async {
        var backoff: Duration = .seconds(1)
        // True once /dev/kmsg alone has rebuilt the events and served them: the journal's replay after it takes
        // over only adds what kmsg did not hold, so the daemon stays ready through it.
        var servedFromKmsg = false
        // Waits before a source that ended by itself is started again.
        var journalRestarts = SourceRestarts()
        var kmsgRestarts = SourceRestarts()
        while !Task.isCancelled {
            switch KernelSourceSelection.choose(journal: journal, kmsgPath: kmsgPath) {
            case .journal(let source):
                backoff = .seconds(1)
                let started = ContinuousClock.now
                let saved = loadSavedPositions()
                let readyDuringReplay = servedFromKmsg
                servedFromKmsg = false
                let fastPathProblem = kmsgFastPath ? KmsgReader.unreadableReason(path: kmsgPath) : "disabled (--kmsg-fast-path=false)"
                if let fastPathProblem {
                    readiness.set(Self.fastPathPart, ready: true, detail: "off: \(fastPathProblem); kills are seen through the journal only")
                    await followJournal(source, saved: saved, readyDuringReplay: readyDuringReplay)
                } else {
                    // Both run; the first to report a kill wins, the other's copy has the same id and is dropped.
                    // The fast path failing does not stop the journal: it is retried beside it.
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await self.followJournal(source, saved: saved, readyDuringReplay: readyDuringReplay) }
                        group.addTask { await self.keepFastPath(boundary: saved.boundary) }
                        await group.next()
                        group.cancelAll()
                    }
                }
                guard !Task.isCancelled else { break }
                // The journal reader ended by itself (its thread could not start): not again at once.
                let wait = journalRestarts.delay(afterRunOf: ContinuousClock.now - started)
                readiness.set(Self.readinessPart, ready: false, detail: "reading the journal stopped; retrying in \(DurationText.format(wait))")
                logger.error("reading the journal stopped; retrying", metadata: ["source": "\(source)", "retry_in": "\(DurationText.format(wait))"])
                do { try await Task.sleep(for: wait) } catch { return }
            case .kmsg(let path, let problem):
                backoff = .seconds(1)
                logger.warning("no journal; reading /dev/kmsg instead", metadata: ["journal_problem": "\(problem)", "kmsg": "\(path)"])
                readiness.set(Self.fastPathPart, ready: true, detail: "reading \(path) as the only source (no journal: \(problem))")
                // Keep checking for the journal (journald started late, a mount appeared, a permission was
                // fixed): once it opens, reading moves to it, and /dev/kmsg becomes the fast path beside it.
                // Whether kmsg's replay finished (it then served the events) decides readiness in the takeover.
                let started = ContinuousClock.now
                let (run, journalOpened) = await withTaskGroup(of: KmsgRun?.self) { group in
                    group.addTask { await self.followKmsg(path: path, start: .oldest, boundary: self.loadSavedPositions().boundary, holdMicros: 30_000, isOnlySource: true) }
                    group.addTask {
                        await self.waitUntilTheJournalOpens()
                        return nil
                    }
                    // The first to end (the journal opened, or kmsg failed) ends the other.
                    var run = KmsgRun(replayed: false, failure: nil)
                    var journalOpened: Bool?
                    for await result in group {
                        if journalOpened == nil { journalOpened = result == nil }
                        if let result { run = result }
                        group.cancelAll()
                    }
                    return (run, journalOpened ?? false)
                }
                // Only a kmsg that was still following when the journal opened has served everything up to it.
                servedFromKmsg = journalOpened && run.replayed
                guard !journalOpened, !Task.isCancelled else { break }
                // /dev/kmsg ended by itself (a read error): try again later, not at once (that spun, re-reading the
                // ring buffer and logging hundreds of lines a second). The journal is looked for again then too.
                let wait = kmsgRestarts.delay(afterRunOf: ContinuousClock.now - started)
                let reason = run.failure ?? "it ended"
                readiness.set(Self.readinessPart, ready: false, detail: "reading \(path) failed: \(reason); retrying in \(DurationText.format(wait))"
                    + (run.replayed ? " (the events it rebuilt are still served)" : ""))
                readiness.set(Self.fastPathPart, ready: true, detail: "\(path) is the only source (no journal: \(problem)) and failed; see kernel-log")
                logger.error("reading /dev/kmsg failed; retrying", metadata: [
                    "kmsg": "\(path)", "reason": "\(reason)", "retry_in": "\(DurationText.format(wait))",
                ])
                do { try await Task.sleep(for: wait) } catch { return }
            case .unavailable(let message):
                servedFromKmsg = false
                readiness.set(Self.readinessPart, ready: false, detail: "\(message); retrying in \(DurationText.format(backoff))")
                logger.error("no kernel log source", metadata: ["reason": "\(message)", "retry_in": "\(DurationText.format(backoff))"])
                do { try await Task.sleep(for: backoff) } catch { return }
                backoff = min(backoff * 2, .seconds(60))
            }
        }
    }

    /// Returns once the journal can be opened (checked after 5 s, then at doubling intervals up to
    /// 30 s), or when cancelled.
    private func waitUntilTheJournalOpens() async {
        var interval: Duration = .seconds(5)
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            if case .journal = KernelSourceSelection.choose(journal: journal, kmsgPath: kmsgPath) {
                logger.notice("the journal opens now; reading kernel messages from it, with /dev/kmsg as the fast path", metadata: ["source": "\(journal)"])
                return
            }
            interval = min(interval * 2, .seconds(30))
        }
    }

    private var journalStore: CursorStore { CursorStore(directory: stateDirectory, fileName: "journal.cursor") }
    private var kmsgStore: CursorStore { CursorStore(directory: stateDirectory, fileName: "kmsg.position") }

    /// What previous runs saved: the journal cursor (where a long-stopped daemon resumes) and, with the kmsg
    /// position, the boundary of what they counted. Read once per (re)start of the sources.
    private func loadSavedPositions() -> (journalCursor: String?, boundary: CountedBoundary) {
        let cursor = loadPosition(journalStore)
        return (cursor, CountedBoundary(journalCursor: cursor, kmsgPosition: loadPosition(kmsgStore), startRealtimeMicros: Self.realtimeMicros()))
    }

    private func loadPosition(_ store: CursorStore) -> String? {
        switch store.load() {
        case .cursor(let text): return text
        case .missing: return nil
        case .corrupt(let reason):
            logger.warning("ignoring an unreadable saved position", metadata: ["path": "\(store.path)", "reason": "\(reason)"])
            return nil
        }
    }

    /// A saved cursor for people: the time of its entry.
    private static func describe(cursor: String) -> String {
        guard let micros = JournalCursor(cursor)?.realtimeMicros else { return "(malformed)" }
        return "of " + Date(timeIntervalSince1970: Double(micros) / 1_000_000).formatted(.iso8601)
    }

    private func saveFailed(_ store: CursorStore, _ error: any Error) {
        readiness.set("state-dir", ready: false, detail: "cannot save \(store.path): \(error)")
        logger.error("cannot save the kernel log position", metadata: ["path": "\(store.path)", "error": "\(error)"])
    }

    // MARK: journal

    /// Follows the journal. `readyDuringReplay`: the events were already rebuilt from /dev/kmsg (the journal
    /// took over from it), so the replay does not make the daemon unready.
    private func followJournal(_ source: JournalSource, saved: (journalCursor: String?, boundary: CountedBoundary), readyDuringReplay: Bool) async {
        let boundary = saved.boundary
        let store = journalStore
        let now = Self.realtimeMicros()
        let pipeline = KernelPipeline(boundary: boundary, node: node, metrics: killMetrics, namer: namer, logger: logger, hierarchyPrefix: hierarchyPrefix)
        let window = replayWindow.components.seconds * 1_000_000
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: source, start: .bootStart, replayNotBeforeRealtimeMicros: UInt64(max(0, now - window)),
            resumeCursor: saved.journalCursor, resumeNotBeforeRealtimeMicros: UInt64(max(0, now - catchUpLimit.components.seconds * 1_000_000)),
            summarizePreviousBoot: true))
        logger.info("reading kernel messages from the journal", metadata: [
            "source": "\(source)", "counted_up_to": "\(boundary.marks)", "replay_window": "\(DurationText.format(replayWindow))",
        ])
        // Up once the tailer reports the journal open (not while it waits for a directory or a permission).
        defer { sourceMetrics.journalUp.set(to: 0) }
        tailer.start()
        await consume(
            tailer.events, pipeline: pipeline, lines: sourceMetrics.journalLines, up: sourceMetrics.journalUp, tick: .milliseconds(50),
            readyDuringReplay: readyDuringReplay
        ) { line in
            guard let cursor = line.cursor else { return }
            do {
                try store.save(cursor)
                readiness.remove("state-dir")
            } catch {
                saveFailed(store, error)
            }
        }
        tailer.stop()
        _ = await tailer.waitUntilStopped(timeoutSeconds: 2)
    }

    // MARK: kmsg

    /// How a run of the /dev/kmsg reader ended.
    struct KmsgRun: Sendable {
        /// Its replay finished (it had rebuilt the events and followed live) before it ended.
        var replayed: Bool
        /// The last failure it reported (a read error ends it), if any.
        var failure: String?
    }

    /// Keeps /dev/kmsg read live beside the journal, as the fast path: when the reader fails it is started
    /// again after a backoff (`SourceRestarts`), while the journal goes on. Returns when cancelled.
    private func keepFastPath(boundary: CountedBoundary) async {
        var restarts = SourceRestarts()
        while !Task.isCancelled {
            readiness.set(Self.fastPathPart, ready: true, detail: "reading \(kmsgPath) live beside the journal")
            let started = ContinuousClock.now
            let run = await followKmsg(path: kmsgPath, start: .end, boundary: boundary, holdMicros: 30_000, isOnlySource: false)
            if Task.isCancelled { return }
            let wait = restarts.delay(afterRunOf: ContinuousClock.now - started)
            let reason = run.failure ?? "it ended"
            // The journal still brings every kill: the daemon stays ready, a little slower to report.
            readiness.set(Self.fastPathPart, ready: true, detail: "off: reading \(kmsgPath) failed: \(reason); retrying in \(DurationText.format(wait)); kills are seen through the journal only")
            logger.warning("the kmsg fast path failed; kills are seen through the journal only until it is back", metadata: [
                "kmsg": "\(kmsgPath)", "reason": "\(reason)", "retry_in": "\(DurationText.format(wait))",
            ])
            do { try await Task.sleep(for: wait) } catch { return }
        }
    }

    /// Reads /dev/kmsg: from the oldest record when it is the only source, or live from the end as the
    /// fast path beside the journal, until it fails or the task is cancelled.
    private func followKmsg(path: String, start: KmsgReaderConfiguration.Start, boundary: CountedBoundary, holdMicros: Int64, isOnlySource: Bool) async -> KmsgRun {
        // The reader stamps lines with the running boot's id in the journal's form (32 hex digits, no
        // dashes), so a kill read here and the same kill read from the journal get the same id.
        let store = kmsgStore
        let pipeline = KernelPipeline(boundary: boundary, node: node, metrics: killMetrics, namer: namer, logger: logger, holdMicros: holdMicros, hierarchyPrefix: hierarchyPrefix)
        let reader = KmsgReader(configuration: KmsgReaderConfiguration(path: path, start: start))
        if isOnlySource {
            // Not ready until its replay has rebuilt the events (`consume` says when).
            readiness.set(Self.readinessPart, ready: false, detail: "opening \(path)")
        }
        defer { sourceMetrics.kmsgUp.set(to: 0) }
        reader.start()
        let run = await consume(reader.events, pipeline: pipeline, lines: sourceMetrics.kmsgLines, up: sourceMetrics.kmsgUp, tick: .milliseconds(10), isPrimary: isOnlySource) { line in
            guard let bootID = line.bootID, let micros = line.monotonicMicros else { return }
            do {
                try store.save(CountedBoundary.kmsgPositionText(bootID: bootID, monotonicMicros: micros))
            } catch {
                saveFailed(store, error)
            }
        }
        reader.stop()
        _ = await reader.waitUntilStopped(timeoutSeconds: 2)
        return KmsgRun(replayed: run.replayFinished, failure: run.lastFailure)
    }

    // MARK: shared

    /// Consumes a source's events until it ends or the task is cancelled, ticking the pipeline so held
    /// kills are released promptly and saving the position after counted kills (at once) or every 5 s.
    /// The ticker sleeps until a line arrives and ticks only while something is held or unsaved: an idle
    /// node costs no wakeups (ticking every 10 ms regardless was 100 wakeups a second).
    /// Returns whether the source's replay finished (it then followed live) before it ended, and the last
    /// failure it reported.
    @discardableResult
    private func consume(
        _ events: BackPressuredStream<JournalEvent>, pipeline: KernelPipeline, lines: Prometheus.Counter, up: Gauge,
        tick: Duration, isPrimary: Bool = true, readyDuringReplay: Bool = false, save: @escaping @Sendable (KernelLine) -> Void
    ) async -> (replayFinished: Bool, lastFailure: String?) {
        // Held kills are released by the kernel's clock only once the replay is over: replayed lines are old,
        // and the wall clock would expire a report between its own lines (the lines themselves move time on).
        let replaying = ReplayFlag()
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let run = await withTaskGroup(of: Void.self, returning: (replayFinished: Bool, lastFailure: String?).self) { group in
            group.addTask {
                var lastSave = ContinuousClock.now
                var unsaved: KernelLine?
                for await _ in wakes {
                    while !Task.isCancelled {
                        if replaying.value.load(ordering: .relaxed) || pipeline.isHolding {
                            try? await Task.sleep(for: tick)
                        }
                        if Task.isCancelled { break }
                        let stillReplaying = replaying.value.load(ordering: .relaxed)
                        if !stillReplaying { pipeline.tick(nowMonotonicMicros: Self.monotonicMicros()) }
                        var urgent = false
                        if let taken = pipeline.takePositionToSave() {
                            unsaved = taken.line
                            urgent = taken.urgent
                        }
                        // After a counted kill at once; otherwise at most every 5 s. A position left unsaved
                        // when the source goes quiet is saved with the next line or at shutdown (`finish`).
                        if let line = unsaved, urgent || ContinuousClock.now - lastSave >= .seconds(5) {
                            save(line)
                            lastSave = ContinuousClock.now
                            unsaved = nil
                        }
                        if !stillReplaying && !pipeline.isHolding { break }
                    }
                }
            }
            var replayDone = false
            var lastFailure: String?
            for await event in events {
                defer { wake.yield() }
                switch event {
                case .entry(let line):
                    lines.increment()
                    pipeline.ingest(line)
                case .replayFinished:
                    replayDone = true
                    replaying.value.store(false, ordering: .relaxed)
                    guard isPrimary else { break }
                    readiness.set(Self.readinessPart, ready: true, detail: "following kernel messages live")
                    logger.info("replay finished; following live", metadata: ["kills_assembled": "\(pipeline.counters.killsEmitted)"])
                case .status(let status):
                    if let open = status.sourceOpen { up.set(to: open ? 1 : 0) }
                    if status.readiness == false { lastFailure = status.description }
                    if !isPrimary {
                        if case .recordsLost(let count, _) = status { sourceMetrics.kmsgLost.increment(by: Int64(clamping: count)) }
                        logger.info("kmsg fast path: \(status)")
                    } else if let ready = status.readiness {
                        // Ready only once the replay has rebuilt the recent events (or /dev/kmsg already had).
                        readiness.set(
                            Self.readinessPart, ready: ready && (replayDone || readyDuringReplay),
                            detail: replayDone || !ready ? status.description : "replaying: \(status)" + (readyDuringReplay ? " (events so far from /dev/kmsg)" : ""))
                        if ready { logger.info("kernel log source: \(status)") } else { logger.error("kernel log source: \(status)") }
                    } else {
                        if case .cursorNotFound(let cursor, let resumedAt) = status {
                            // Ready (reading goes on), but say that a stretch of the journal was gone.
                            readiness.notice(Self.positionPart, for: Readiness.noticeDuration, detail: "the journal no longer holds the saved position \(Self.describe(cursor: cursor)) (vacuumed or rotated away); resumed at \(resumedAt): kills in between are not in /events")
                        }
                        if case .savedPositionTooOld(let cursor, let micros) = status {
                            let resumedAt = Date(timeIntervalSince1970: Double(micros) / 1_000_000).formatted(.iso8601)
                            readiness.notice(Self.positionPart, for: Readiness.noticeDuration, detail: "the saved position \(Self.describe(cursor: cursor)) is older than --catch-up-limit (\(DurationText.format(catchUpLimit))); resumed at \(resumedAt): kills before that are not counted or shown")
                        }
                        logger.warning("kernel log source: \(status)")
                        if case .recordsLost(let count, _) = status { sourceMetrics.kmsgLost.increment(by: Int64(clamping: count)) }
                    }
                case .previousBoot(let summary):
                    if let summary, summary.endedUnexpectedly {
                        let reboot = NodeReboot(previous: summary)
                        node.record(.reboot(reboot))
                        logger.warning("\(reboot.summary)", metadata: ["previous_boot": "\(summary.bootID)"])
                    }
                }
            }
            wake.finish()
            group.cancelAll()
            return (replayDone, lastFailure)
        }
        pipeline.finish()
        if let (line, _) = pipeline.takePositionToSave() { save(line) }
        return run
    }

    static func realtimeMicros() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1_000
    }

    static func monotonicMicros() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1_000
    }
}

/// Whether a source is still replaying old lines (shared by its reader and its ticker).
private final class ReplayFlag: Sendable {
    let value = Atomic<Bool>(true)
}
