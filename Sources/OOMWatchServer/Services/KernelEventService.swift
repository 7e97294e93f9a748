import Foundation
import Glibc
import Logging
import OOMWatchAdapters
import OOMWatchCore
import Prometheus
import ServiceLifecycle

/// Reads kernel messages (the journal, or /dev/kmsg when no journal can be opened), replays the window
/// needed to rebuild recent events, then follows live. Kills flow through a `KernelPipeline` into the
/// node state and the metrics; the position is saved in the state directory so a restart resumes
/// exactly after it.
struct KernelEventService: Service {
    let journal: JournalSource
    let kmsgPath: String
    let procRoot: String
    let stateDirectory: String
    let replayWindow: Duration
    let node: NodeState
    let killMetrics: KillMetrics
    let sourceMetrics: KernelSourceMetrics
    let namer: PodNamer?
    let readiness: Readiness
    let logger: Logger

    static let readinessPart = "kernel-log"

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
        while !Task.isCancelled {
            switch KernelSourceSelection.choose(journal: journal, kmsgPath: kmsgPath) {
            case .journal(let source):
                backoff = .seconds(1)
                await followJournal(source)
            case .kmsg(let path, let problem):
                backoff = .seconds(1)
                logger.warning("no journal; reading /dev/kmsg instead", metadata: ["journal_problem": "\(problem)", "kmsg": "\(path)"])
                await followKmsg(path: path, journalProblem: problem)
            case .unavailable(let message):
                readiness.set(Self.readinessPart, ready: false, detail: "\(message); retrying in \(DurationText.format(backoff))")
                logger.error("no kernel log source", metadata: ["reason": "\(message)", "retry_in": "\(DurationText.format(backoff))"])
                do { try await Task.sleep(for: backoff) } catch { return }
                backoff = min(backoff * 2, .seconds(60))
            }
        }
    }

    // MARK: journal

    private func followJournal(_ source: JournalSource) async {
        let store = CursorStore(directory: stateDirectory, fileName: "journal.cursor")
        let saved: String?
        switch store.load() {
        case .cursor(let text): saved = text
        case .missing: saved = nil
        case .corrupt(let reason):
            logger.warning("ignoring unreadable saved journal cursor", metadata: ["path": "\(store.path)", "reason": "\(reason)"])
            saved = nil
        }
        let now = Self.realtimeMicros()
        let boundary = CountedBoundary(journalCursor: saved, startRealtimeMicros: now)
        let pipeline = KernelPipeline(boundary: boundary, node: node, metrics: killMetrics, namer: namer, logger: logger)
        let window = replayWindow.components.seconds * 1_000_000
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: source, start: .bootStart, replayNotBeforeRealtimeMicros: UInt64(max(0, now - window)),
            summarizePreviousBoot: true))
        logger.info("reading kernel messages from the journal", metadata: [
            "source": "\(source)", "saved_cursor": "\(saved ?? "none")", "replay_window": "\(DurationText.format(replayWindow))",
        ])
        sourceMetrics.journalUp.set(to: 1)
        defer { sourceMetrics.journalUp.set(to: 0) }
        tailer.start()
        await consume(tailer.events, pipeline: pipeline, lines: sourceMetrics.journalLines) { line in
            guard let cursor = line.cursor else { return }
            do {
                try store.save(cursor)
            } catch {
                readiness.set("state-dir", ready: false, detail: "cannot save the journal cursor: \(error)")
                logger.error("cannot save the journal cursor", metadata: ["error": "\(error)"])
                return
            }
            readiness.remove("state-dir")
        }
        tailer.stop()
        _ = await tailer.waitUntilStopped(timeoutSeconds: 2)
    }

    // MARK: kmsg

    private func followKmsg(path: String, journalProblem: String) async {
        let bootID = (try? SmallFile.read("\(procRoot)/sys/kernel/random/boot_id")).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let store = CursorStore(directory: stateDirectory, fileName: "kmsg.position")
        let now = Self.realtimeMicros()
        var mark: CountedBoundary.Mark = .none(startRealtimeMicros: now)
        if case .cursor(let text) = store.load(), let saved = CountedBoundary.kmsgMark(from: text) { mark = saved }
        let pipeline = KernelPipeline(boundary: CountedBoundary(mark), node: node, metrics: killMetrics, namer: namer, logger: logger)
        let reader = KmsgReader(configuration: KmsgReaderConfiguration(path: path, start: .oldest, bootID: bootID))
        readiness.set(Self.readinessPart, ready: true, detail: "reading \(path) (no journal: \(journalProblem))")
        sourceMetrics.kmsgUp.set(to: 1)
        defer { sourceMetrics.kmsgUp.set(to: 0) }
        reader.start()
        await consume(reader.events, pipeline: pipeline, lines: sourceMetrics.kmsgLines) { line in
            guard let bootID = line.bootID ?? bootID, let micros = line.monotonicMicros else { return }
            try? store.save(CountedBoundary.kmsgPositionText(bootID: bootID, monotonicMicros: micros))
        }
        reader.stop()
        _ = await reader.waitUntilStopped(timeoutSeconds: 2)
    }

    // MARK: shared

    /// Consumes a source's events until it ends or the task is cancelled, ticking the pipeline so held
    /// kills are released promptly and saving the position after counted kills (at once) or every 5 s.
    private func consume(
        _ events: BackPressuredStream<JournalEvent>, pipeline: KernelPipeline, lines: Prometheus.Counter,
        save: @escaping @Sendable (KernelLine) -> Void
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var lastSave = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(50))
                    pipeline.tick(nowMonotonicMicros: Self.monotonicMicros())
                    if let (line, urgent) = pipeline.takePositionToSave(), urgent || ContinuousClock.now - lastSave > .seconds(5) {
                        save(line)
                        lastSave = ContinuousClock.now
                    }
                }
            }
            for await event in events {
                switch event {
                case .entry(let line):
                    lines.increment()
                    pipeline.ingest(line)
                case .replayFinished:
                    readiness.set(Self.readinessPart, ready: true, detail: "following kernel messages live")
                    logger.info("replay finished; following live", metadata: ["kills_assembled": "\(pipeline.counters.killsEmitted)"])
                case .status(let status):
                    if let ready = status.readiness {
                        readiness.set(Self.readinessPart, ready: ready, detail: status.description)
                        if ready { logger.info("kernel log source: \(status)") } else { logger.error("kernel log source: \(status)") }
                    } else {
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
            group.cancelAll()
        }
        pipeline.finish()
        if let (line, _) = pipeline.takePositionToSave() { save(line) }
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
