@testable import OOMWatchServer
import Testing

@Suite("Restarting a kernel-log source that ended by itself")
struct SourceRestartsTests {
    @Test func waitsDoubleFromOneSecondUpToThirty() {
        var restarts = SourceRestarts()
        let waits = (0..<7).map { _ in restarts.delay(afterRunOf: .milliseconds(5)) }
        #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30)])
    }

    @Test func aRunOfAMinuteOrMoreStartsTheCountOver() {
        var restarts = SourceRestarts()
        for _ in 0..<4 { _ = restarts.delay(afterRunOf: .seconds(2)) }
        #expect(restarts.delay(afterRunOf: .seconds(59)) == .seconds(16), "59 s is not yet a healthy run")
        #expect(restarts.delay(afterRunOf: SourceRestarts.healthyRun) == .seconds(1))
        #expect(restarts.delay(afterRunOf: .seconds(1)) == .seconds(2))
    }
}
