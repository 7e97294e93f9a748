import Foundation
import OOMWatchCore
import OOMWatchTestSupport
import Synchronization
import Testing

@testable import OOMWatchServer

/// The wall clock stepped back while the daemon runs (NTP correcting a clock that was ahead, or an
/// operator's `date -s`): the daemon keeps recording, says so in its log and /readyz, and loses nothing.
/// The daemon's wall clock is injected so the test steps it without touching the machine's.
@Suite("Wall clock stepped back under a running daemon")
struct ClockStepTests {
    /// A wall clock that follows the real one at an offset the test can change.
    final class SteppableClock: Sendable {
        private let offset = Mutex<TimeInterval>(0)
        func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
        func step(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
    }

    @Test func steppedBackAnHourTheHistoryKeepsEverySampleAndReadyzSaysSo() async throws {
        let clock = SteppableClock()
        let daemon = try await RunningDaemon.start { configuration in
            configuration.pollInterval = .milliseconds(200)
            configuration.wallClock = { clock.now() }
        }
        let node = daemon.daemon.node
        func points() -> Int {
            node.history(cgroup: "/system.slice", windowSeconds: 300, nowSeconds: Int64(clock.now().timeIntervalSince1970))?.points.count ?? 0
        }
        func wait(_ what: String, _ condition: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while try await !condition() {
                guard ContinuousClock.now < deadline else { throw LoopbackClient.Failure(description: "timed out waiting for \(what)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await wait("five samples") { points() >= 5 }

        clock.step(by: -3600)
        try await wait("/readyz to report the step") {
            try await LoopbackClient.get(port: daemon.port, path: "/readyz").bodyText.contains("clock: ready - wall clock stepped back by 1h")
        }
        let afterStep = points()
        try await wait("five more samples on the new clock") { points() >= afterStep + 5 }

        let history = try #require(node.history(cgroup: "/system.slice", windowSeconds: 300, nowSeconds: Int64(clock.now().timeIntervalSince1970)))
        let times = history.points.map(\.timestamp)
        #expect(times == times.sorted(), "in order")
        #expect((times.last ?? 0) <= Int64(clock.now().timeIntervalSince1970), "nothing stamped in the new clock's future")
        #expect(times.count >= afterStep + 5, "samples are recorded after the step, none dropped as out of order")
        let ready = try await LoopbackClient.get(port: daemon.port, path: "/readyz")
        #expect(ready.status == 200, "a clock step is reported, not a reason to be unready: \(ready.bodyText)")
        try await daemon.stop()
    }
}
