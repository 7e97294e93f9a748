import Foundation
import OOMWatchAdapters
import OOMWatchCore
import OOMWatchTestSupport
import Testing

/// The current boot of the fixture and its kernel lines, exactly as the export text holds them.
private let bootA = String(repeating: "a", count: 32)
private let bootB = String(repeating: "b", count: 32)
private let bootC = String(repeating: "c", count: 32)
private let c0: Int64 = 1_700_200_000_000_000

private struct ExpectedLine {
    let message: [UInt8]
    let realtime: Int64
    let monotonic: Int64
    let priority: UInt8
}

private let expectedBootC: [ExpectedLine] = [
    .init(message: Array("Linux version 6.18.44-fc-v595".utf8), realtime: c0, monotonic: 0, priority: 5),
    .init(message: Array("haproxy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0".utf8),
          realtime: c0 + 126_000000, monotonic: 126_417944, priority: 4),
    .init(message: Array("memory: usage 32768kB, limit 32768kB, failcnt 82".utf8),
          realtime: c0 + 126_000100, monotonic: 126_418095, priority: 6),
    .init(message: Array("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomwatch-probe/system.slice,task_memcg=/oomwatch-probe/system.slice/haproxy.service,task=haproxy,pid=3311,uid=0".utf8),
          realtime: c0 + 126_000200, monotonic: 126_418195, priority: 6),
    .init(message: Array("Memory cgroup out of memory: Killed process 3311 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0".utf8),
          realtime: c0 + 126_000300, monotonic: 126_418212, priority: 3),
    .init(message: Array("Killed process 4242 (bad".utf8) + [0xff, 0xfe] + Array("\nname) total-vm:1kB".utf8),
          realtime: c0 + 127_000000, monotonic: 127_000001, priority: 3),
    // No _SOURCE_MONOTONIC_TIMESTAMP: the entry's own monotonic timestamp is used.
    .init(message: Array("no source monotonic timestamp here".utf8), realtime: c0 + 128_000000, monotonic: 128_500000, priority: 6),
]

private func assertMatches(_ lines: [KernelLine], _ expected: ArraySlice<ExpectedLine>, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(lines.count == expected.count, sourceLocation: sourceLocation)
    for (line, want) in zip(lines, expected) {
        #expect(line.message == want.message, sourceLocation: sourceLocation)
        #expect(line.realtimeMicros == want.realtime, sourceLocation: sourceLocation)
        #expect(line.monotonicMicros == want.monotonic, sourceLocation: sourceLocation)
        #expect(line.priority == want.priority, sourceLocation: sourceLocation)
        #expect(line.bootID == bootC, sourceLocation: sourceLocation)
        #expect(line.sequence == nil, sourceLocation: sourceLocation)
        let cursor = JournalCursor(line.cursor ?? "")
        #expect(cursor?.bootID == bootC, sourceLocation: sourceLocation)
        #expect(cursor?.realtimeMicros.map(Int64.init) == want.realtime, sourceLocation: sourceLocation)
    }
}

@Suite("Journal replay from fixture journals (systemd-journal-remote)",
       .enabled(if: JournalFixture.isAvailable, "SKIPPED: \(JournalFixture.converter) not installed (apt-get install systemd-journal-remote)"))
struct JournalFixtureReplayTests {
    let directory: String

    init() throws {
        directory = try JournalFixture.makeJournalDirectory(from: try fixturePath("three-boots.export"))
    }

    private func replay(_ start: JournalStartPosition, notBefore: UInt64? = nil, bootID: String = bootC,
                        summarize: Bool = false, capacity: Int = 64) async -> [JournalEvent] {
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: .directory(directory), start: start, replayNotBeforeRealtimeMicros: notBefore,
            bootID: bootID, follow: false, bufferCapacity: capacity, summarizePreviousBoot: summarize))
        tailer.start()
        return await collect(tailer.events)
    }

    @Test("replays every kernel entry of the current boot, in order, with exact fields, then ends")
    func replayCurrentBoot() async throws {
        let events = await replay(.bootStart)
        #expect(events.first == .status(.opened(source: "journal directory \(directory)")))
        #expect(events.last == .replayFinished)
        #expect(events.count == expectedBootC.count + 2)
        assertMatches(events.compactMap(\.line), expectedBootC[...])
        #expect(Set(events.compactMap { $0.line?.cursor }).count == expectedBootC.count)
    }

    @Test("cursor resume: stop after K entries, persist, reopen, continue at K+1, nothing twice")
    func cursorResume() async throws {
        let k = 3
        let first = JournalTailer(configuration: JournalTailerConfiguration(
            source: .directory(directory), start: .bootStart, bootID: bootC, follow: true, bufferCapacity: 1))
        first.start()
        let firstEvents = await collect(first.events) { $0.compactMap(\.line).count == k }
        let firstLines = firstEvents.compactMap(\.line)
        assertMatches(firstLines, expectedBootC[0..<k])
        first.stop()
        #expect(await first.waitUntilStopped(timeoutSeconds: 2))

        let stateDirectory = NSTemporaryDirectory() + "oomwatch-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: stateDirectory) }
        let store = CursorStore(directory: stateDirectory)
        try store.save(try #require(firstLines.last?.cursor))
        guard case .cursor(let saved) = store.load() else {
            Issue.record("cursor not loaded back")
            return
        }

        let events = await replay(.afterCursor(saved))
        #expect(events.compactMap(\.status) == [.opened(source: "journal directory \(directory)")])
        assertMatches(events.compactMap(\.line), expectedBootC[k...])
        #expect(Set(firstLines.compactMap(\.cursor)).isDisjoint(with: events.compactMap { $0.line?.cursor }))
    }

    @Test("resuming after the last entry yields nothing but replayFinished")
    func resumeAtEnd() async throws {
        let all = await replay(.bootStart).compactMap(\.line)
        let events = await replay(.afterCursor(try #require(all.last?.cursor)))
        #expect(events.compactMap(\.line).isEmpty)
        #expect(events.last == .replayFinished)
    }

    @Test("malformed or unknown cursor: warning, then the oldest entry of the current boot",
          arguments: ["not-a-cursor",
                      "s=0123456789abcdef0123456789abcdef;i=999;b=\(String(repeating: "d", count: 32));m=1;t=5a0;x=1"])
    func invalidCursorFallsBack(cursor: String) async throws {
        let events = await replay(.afterCursor(cursor))
        let statuses = events.compactMap(\.status)
        #expect(statuses.contains(.cursorNotFound(cursor: cursor, resumedAt: "the oldest entry of the current boot")))
        assertMatches(events.compactMap(\.line), expectedBootC[...])
    }

    @Test("realtime start and replay bound")
    func realtimeStartAndBound() async throws {
        let fromRealtime = await replay(.realtime(UInt64(c0 + 126_000200)))
        assertMatches(fromRealtime.compactMap(\.line), expectedBootC[3...])
        let bounded = await replay(.bootStart, notBefore: UInt64(c0 + 126_000100))
        assertMatches(bounded.compactMap(\.line), expectedBootC[2...])
    }

    /// A restart with a saved cursor: the daemon replays boot C from `replayFrom`, resuming no further back
    /// than `resumeLimit`.
    private func resume(after cursor: String, replayFrom notBefore: UInt64, resumeLimit: UInt64) async -> [JournalEvent] {
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: .directory(directory), start: .bootStart, replayNotBeforeRealtimeMicros: notBefore, resumeCursor: cursor,
            resumeNotBeforeRealtimeMicros: resumeLimit, bootID: bootC, follow: false, bufferCapacity: 64))
        tailer.start()
        return await collect(tailer.events)
    }

    @Test("a saved cursor of an earlier boot is followed across boots, but not further back than the catch-up limit")
    func resumeIsBoundedByTheCatchUpLimit() async throws {
        // Every kernel line of the three boots, oldest first.
        let all = await replay(.realtime(0)).compactMap(\.line)
        let saved = try #require(all.first { $0.bootID == bootA })
        let savedCursor = try #require(saved.cursor)
        let savedAt = try #require(saved.realtimeMicros)
        let replayFrom = UInt64(c0 + 126_000100)
        #expect(Set(all.compactMap(\.bootID)) == [bootA, bootB, bootC])

        // Within the limit: everything after the saved entry, through boots A, B and C; no warning.
        let followed = await resume(after: savedCursor, replayFrom: replayFrom, resumeLimit: UInt64(savedAt))
        #expect(followed.compactMap(\.line).map(\.cursor) == all.drop { $0.cursor != savedCursor }.dropFirst().map(\.cursor))
        #expect(!followed.contains { if case .status(.savedPositionTooOld) = $0 { true } else { false } })

        // Saved before the limit (boot B's first line): reading starts at the limit, with a warning; boot A's
        // later lines are not read, so their kills are not counted.
        let limit = try #require(all.first { $0.bootID == bootB }?.realtimeMicros)
        let limited = await resume(after: savedCursor, replayFrom: replayFrom, resumeLimit: UInt64(limit))
        #expect(limited.compactMap(\.status).contains(.savedPositionTooOld(cursor: savedCursor, resumedAtRealtimeMicros: UInt64(limit))))
        #expect(limited.compactMap(\.line).map(\.cursor) == all.filter { ($0.realtimeMicros ?? 0) >= limit }.map(\.cursor))
        #expect(limited.last == .replayFinished)

        // A limit set shorter than the replay window does not cut the replay short: it starts at the window.
        let short = await resume(after: savedCursor, replayFrom: replayFrom, resumeLimit: UInt64(c0 + 127_000000))
        #expect(short.compactMap(\.status).contains(.savedPositionTooOld(cursor: savedCursor, resumedAtRealtimeMicros: replayFrom)))
        assertMatches(short.compactMap(\.line), expectedBootC[2...])
    }

    @Test("boots are listed oldest first with first/last realtime")
    func bootList() throws {
        let journal = try SystemdJournal(source: .directory(directory))
        let boots = try BootHistory.boots(in: journal)
        #expect(boots.map(\.bootID) == [bootA, bootB, bootC])
        #expect(boots.map(\.firstRealtimeMicros) == [1_700_000_000_000_000, 1_700_100_000_000_000, 1_700_200_000_000_000])
        #expect(boots.map(\.lastRealtimeMicros) == [1_700_003_603_000_000, 1_700_100_500_000_300, 1_700_200_128_000_000])
    }

    @Test("previous boot crashed: no shutdown record, kernel BUG and Oops reported")
    func previousBootCrashed() throws {
        let summary = try #require(try BootHistory.previousBootSummary(source: .directory(directory), currentBootID: bootC))
        #expect(summary.bootID == bootB)
        #expect(summary.currentBootID == bootC)
        #expect(summary.firstRealtimeMicros == 1_700_100_000_000_000)
        #expect(summary.lastRealtimeMicros == 1_700_100_500_000_300)
        #expect(summary.currentBootFirstRealtimeMicros == c0)
        #expect(summary.shutdownMarkers.isEmpty)
        #expect(summary.kernelErrors.map { String(decoding: $0.message, as: UTF8.self) } == [
            "BUG: kernel NULL pointer dereference, address: 0000000000000008",
            "Oops: 0000 [#1] PREEMPT SMP NOPTI",
        ])
        #expect(summary.kernelErrors.map(\.monotonicMicros) == [500_900000, 500_900020])
        #expect(!summary.endedCleanly)
        #expect(summary.endedUnexpectedly)
    }

    @Test("previous boot shut down cleanly: logind, reboot.target, Journal stopped, kernel reboot line")
    func previousBootClean() throws {
        let summary = try #require(try BootHistory.previousBootSummary(source: .directory(directory), currentBootID: bootB))
        #expect(summary.bootID == bootA)
        #expect(summary.shutdownMarkers == [
            .logindShutdown(kind: "reboot"),
            .shutdownTargetReached(unit: "reboot.target"),
            .journalStopped,
            .kernelReboot(message: "reboot: Restarting system"),
        ])
        #expect(summary.kernelErrors.isEmpty)
        #expect(summary.endedCleanly)
        #expect(!summary.endedUnexpectedly)
        #expect(try BootHistory.previousBootSummary(source: .directory(directory), currentBootID: bootA) == nil)
    }

    @Test("a boot not in the journal yet: the newest stored boot is the previous one")
    func currentBootNotStored() throws {
        let summary = try #require(try BootHistory.previousBootSummary(
            source: .directory(directory), currentBootID: String(repeating: "e", count: 32)))
        #expect(summary.bootID == bootC)
        #expect(summary.currentBootFirstRealtimeMicros == nil)
    }

    @Test("tailer reports the previous boot before the first entry")
    func tailerReportsPreviousBoot() async throws {
        let events = await replay(.bootStart, summarize: true)
        guard events.count >= 2, case .previousBoot(let summary) = events[1] else {
            Issue.record("second event is not .previousBoot: \(events.prefix(2))")
            return
        }
        #expect(summary?.bootID == bootB)
        #expect(summary?.endedUnexpectedly == true)
        assertMatches(events.compactMap(\.line), expectedBootC[...])
    }

    @Test("a consumer slower than a 1-event buffer loses nothing")
    func backPressureNeverDrops() async throws {
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: .directory(directory), start: .bootStart, bootID: bootC, follow: false, bufferCapacity: 1))
        tailer.start()
        var lines: [KernelLine] = []
        for await event in tailer.events {
            try await Task.sleep(for: .milliseconds(30))
            if let line = event.line { lines.append(line) }
        }
        assertMatches(lines, expectedBootC[...])
    }

    @Test("cancelling the consuming task ends the reader thread within 1 s while following")
    func cancellationStopsThread() async throws {
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: .directory(directory), start: .bootStart, bootID: bootC, follow: true))
        tailer.start()
        let events = tailer.events
        let caughtUp = AsyncStream<Void>.makeStream()
        let consumer = Task {
            var count = 0
            for await event in events {
                count += 1
                if event == .replayFinished { caughtUp.continuation.yield() }
            }
            return count
        }
        for await _ in caughtUp.stream { break }
        #expect(tailer.isRunning)
        let clock = ContinuousClock()
        let start = clock.now
        consumer.cancel()
        #expect(await consumer.value == expectedBootC.count + 2)
        #expect(await tailer.waitUntilStopped(timeoutSeconds: 1))
        print("reader thread ended \(clock.now - start) after the consumer was cancelled")
    }

    @Test("stop() ends the reader thread within 1 s and finishes the stream")
    func stopEndsStream() async throws {
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: .directory(directory), start: .end, bootID: bootC, follow: true))
        tailer.start()
        let events = await collect(tailer.events) { $0.last == .replayFinished }
        #expect(events == [.status(.opened(source: "journal directory \(directory)")), .replayFinished])
        tailer.stop()
        #expect(await tailer.waitUntilStopped(timeoutSeconds: 1))
        let rest = await collect(tailer.events, timeoutSeconds: 2)
        #expect(rest.isEmpty)
    }

    @Test("a directory that does not exist yet: waiting status, then entries once it appears")
    func directoryAppearsLater() async throws {
        let missing = NSTemporaryDirectory() + "oomwatch-late-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: missing) }
        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: .directory(missing), start: .bootStart, bootID: bootC, follow: false,
            retry: RetryBackoff(initialSeconds: 0.05, maximumSeconds: 0.2)))
        tailer.start()
        let exportFile = try fixturePath("three-boots.export")
        let creator = Task.detached {
            try await Task.sleep(for: .milliseconds(300))
            try FileManager.default.createDirectory(atPath: missing + ".tmp", withIntermediateDirectories: true)
            try JournalFixture.convert(exportFile, to: missing + ".tmp/fixture.journal")
            try FileManager.default.moveItem(atPath: missing + ".tmp", toPath: missing)
        }
        let events = await collect(tailer.events)
        try await creator.value
        let statuses = events.compactMap(\.status)
        #expect(statuses.first == .waitingForJournal(path: missing, retryInSeconds: 0.05))
        #expect(statuses.contains { $0.readiness == false })
        #expect(statuses.last == .opened(source: "journal directory \(missing)"))
        assertMatches(events.compactMap(\.line), expectedBootC[...])
    }
}
