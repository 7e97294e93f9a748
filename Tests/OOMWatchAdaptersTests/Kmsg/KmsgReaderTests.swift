import Foundation
import OOMWatchAdapters
import OOMWatchCore
import OOMWatchTestSupport
import Testing

@Suite("KmsgReader")
struct KmsgReaderTests {
    @Test("records from a file: continuation lines, escapes, sequence gaps counted, bad records counted")
    func fileRecords() async throws {
        let path = NSTemporaryDirectory() + "oomwatch-kmsg-\(UUID().uuidString)"
        defer { unlink(path) }
        let text = """
        6,198,183365,-;acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]
         SUBSYSTEM=acpi
         DEVICE=+acpi:PNP0A08:00
        6,199,183368,-;\\x09Trampoline\\xff
        this line is not a record
        3,425,126418212,-;Memory cgroup out of memory: Killed process 3311 (haproxy)

        """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let reader = KmsgReader(configuration: KmsgReaderConfiguration(path: path, follow: false, bootID: "b00b"))
        reader.start()
        let events = await collect(reader.events)
        let lines = events.compactMap(\.line)
        #expect(lines.map(\.sequence) == [198, 199, 425])
        #expect(lines.map(\.monotonicMicros) == [183_365, 183_368, 126_418_212])
        #expect(lines.map(\.priority) == [6, 6, 3])
        #expect(lines.map(\.bootID) == ["b00b", "b00b", "b00b"])
        #expect(lines[0].message == Array("acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]".utf8))
        #expect(lines[1].message == [0x09] + Array("Trampoline".utf8) + [0xff])
        #expect(events.compactMap(\.status) == [.opened(source: path), .recordsLost(count: 225, totalLost: 225)])
        #expect(events.last == .replayFinished)
        #expect(reader.lostRecords == 225)
        #expect(reader.unparsedRecords == 1)
    }

    @Test("an unreadable path gives a clear reason")
    func unreadable() {
        let reason = KmsgReader.unreadableReason(path: "/nonexistent/kmsg")
        #expect(reason == "cannot open /nonexistent/kmsg: No such file or directory")
        #expect(KernelSourceSelection.choose(journal: .directory("/nonexistent/journal"), kmsgPath: "/nonexistent/kmsg")
            == .unavailable("no kernel log source: journal directory /nonexistent/journal does not exist; and cannot open /nonexistent/kmsg: No such file or directory"))
    }

    @Test("real /dev/kmsg: replay ends with increasing sequence numbers; a written line is seen live",
          .enabled(if: geteuid() == 0 && access("/dev/kmsg", R_OK | W_OK) == 0, "SKIPPED: needs root and a readable/writable /dev/kmsg"))
    func realDevice() async throws {
        let replay = KmsgReader(configuration: KmsgReaderConfiguration(follow: false))
        replay.start()
        let replayed = await collect(replay.events)
        let sequences = replayed.compactMap { $0.line?.sequence }
        #expect(!sequences.isEmpty)
        #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 })
        #expect(replayed.last == .replayFinished)
        #expect(replay.unparsedRecords == 0)

        let live = KmsgReader(configuration: KmsgReaderConfiguration(start: .end))
        live.start()
        let text = "oomwatch-test-kmsg-\(UUID().uuidString)"
        let writer = Task.detached {
            try await Task.sleep(for: .milliseconds(200))
            try JournaldHarness.writeKernelMessage("<5>" + text)
        }
        let events = await collect(live.events, timeoutSeconds: 10) { events in
            events.contains { $0.line?.message == Array(text.utf8) }
        }
        try await writer.value
        let line = try #require(events.compactMap(\.line).first { $0.message == Array(text.utf8) })
        #expect(line.priority == 5)
        #expect(line.sequence ?? 0 > sequences.last ?? 0)
        #expect(line.bootID?.count == 32)
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        #expect(abs((line.realtimeMicros ?? 0) - now) < 5_000_000)
        #expect(events.compactMap(\.line).allSatisfy { $0.sequence ?? 0 > sequences.last ?? 0 })
        live.stop()
        #expect(await live.waitUntilStopped(timeoutSeconds: 1))
    }
}
