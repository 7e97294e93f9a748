import Foundation
import OOMWatchAdapters
import OOMWatchCore
import OOMWatchTestSupport
import Testing

/// Live tests against a real systemd-journald reading this machine's /dev/kmsg.
@Suite("Live journald: follow, latency, journald restart, rotation, vacuum",
       .serialized,
       .enabled(if: JournaldHarness.isAvailable, "SKIPPED: \(JournaldHarness.unavailableReason)"))
struct JournaldLiveTests {
    /// Consumes the tailer's events in a background task and lets tests wait for a line.
    final class Follower: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [(ContinuousClock.Instant, JournalEvent)] = []
        private var task: Task<Void, Never>?

        init(_ tailer: JournalTailer) {
            let stream = tailer.events
            task = Task { [weak self] in
                for await event in stream {
                    let now = ContinuousClock.now
                    guard let self else { return }
                    self.lock.withLock { self.events.append((now, event)) }
                }
            }
        }

        func snapshot() -> [(ContinuousClock.Instant, JournalEvent)] { lock.withLock { events } }

        /// Waits until an event satisfies `match`; returns its arrival time.
        func waitFor(timeoutSeconds: Double, _ match: (JournalEvent) -> Bool) async -> ContinuousClock.Instant? {
            let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
            while ContinuousClock.now < deadline {
                if let hit = snapshot().first(where: { match($0.1) }) { return hit.0 }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }

        func cancel() { task?.cancel() }
    }

    private static func message(_ event: JournalEvent) -> String? {
        event.line.map { String(decoding: $0.message, as: UTF8.self) }
    }

    private func writeAndAwait(_ follower: Follower, label: String, timeoutSeconds: Double = 15) async throws -> Duration? {
        let text = "oomwatch-test-\(label)-\(UUID().uuidString)"
        let written = ContinuousClock.now
        try JournaldHarness.writeKernelMessage(text)
        guard let seen = await follower.waitFor(timeoutSeconds: timeoutSeconds, { Self.message($0) == text }) else {
            Issue.record("line \(text) not seen within \(timeoutSeconds) s; events: \(follower.snapshot().suffix(5).map(\.1))")
            return nil
        }
        let line = try #require(follower.snapshot().first { Self.message($0.1) == text }?.1.line)
        #expect(line.bootID == (try SystemdJournal.currentBootID()))
        #expect(line.cursor != nil)
        #expect(line.monotonicMicros != nil)
        #expect(line.realtimeMicros != nil)
        return seen - written
    }

    @Test("live lines arrive; journald SIGKILL + restart, rotation and vacuum do not stop the tailer")
    func liveFollowAndSurvive() async throws {
        try await JournaldHarness.withJournald { journald in try await liveFollowAndSurvive(journald) }
    }

    private func liveFollowAndSurvive(_ journald: JournaldHarness) async throws {
        print("journald pid \(journald.pid), started by harness: \(journald.ownsProcess)")

        let tailer = JournalTailer(configuration: JournalTailerConfiguration(
            source: .system, start: .end, retry: RetryBackoff(initialSeconds: 0.1, maximumSeconds: 1)))
        tailer.start()
        let follower = Follower(tailer)
        defer {
            tailer.stop()
            follower.cancel()
        }
        #expect(await follower.waitFor(timeoutSeconds: 10) { $0 == .replayFinished } != nil)

        // Latency: write → tailer yields, over several lines.
        var latencies: [Duration] = []
        for index in 0..<7 {
            if let latency = try await writeAndAwait(follower, label: "latency-\(index)") { latencies.append(latency) }
        }
        #expect(latencies.count == 7)
        let sorted = latencies.sorted()
        if !sorted.isEmpty {
            print("live latency /dev/kmsg write → tailer event: p50 \(sorted[sorted.count / 2]), min \(sorted.first!), max \(sorted.last!), all \(latencies)")
        }

        // Rotation (SIGUSR2) and vacuum: only on a journald this harness owns.
        guard journald.ownsProcess else {
            print("SKIPPED restart/rotation/vacuum part: journald was already running and is not ours to signal")
            return
        }
        try journald.rotate()
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await writeAndAwait(follower, label: "after-rotate") != nil)

        let (status, output) = try Tools.run("/bin/journalctl", ["-D", JournaldHarness.runtimeJournalDirectory, "--vacuum-files=1"])
        #expect(status == 0, "journalctl --vacuum-files=1: \(output)")
        print("vacuum: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        #expect(try await writeAndAwait(follower, label: "after-vacuum") != nil)

        // journald crashes and comes back: the tailer reopens and continues.
        try await journald.crashAndRestart()
        #expect(try await writeAndAwait(follower, label: "after-restart", timeoutSeconds: 20) != nil)
        let statuses = follower.snapshot().compactMap(\.1.status)
        #expect(statuses.contains { if case .reopened = $0 { true } else { false } })
        #expect(tailer.isRunning)

        // Every live line at most once.
        let cursors = follower.snapshot().compactMap { $0.1.line?.cursor }
        #expect(Set(cursors).count == cursors.count)
    }
}
