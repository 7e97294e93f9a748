import Testing
@testable import OOMWatchServer

@Suite struct ReadinessTests {
    @Test func everyPartMustBeReadyAndEachSaysWhy() {
        let readiness = Readiness()
        readiness.set("kernel-log", ready: true, detail: "following kernel messages live")
        readiness.set("cgroups", ready: false, detail: "first poll pending")
        var report = readiness.report()
        #expect(!report.ready)
        #expect(report.lines == ["cgroups: not ready - first poll pending", "kernel-log: ready - following kernel messages live"])
        readiness.set("cgroups", ready: true, detail: "3039 cgroups sampled")
        report = readiness.report()
        #expect(report.ready)
        readiness.remove("cgroups")
        #expect(readiness.report().lines == ["kernel-log: ready - following kernel messages live"])
    }

    @Test func noticesAboutPastEventsAreShownForTheirDurationThenForgotten() {
        let readiness = Readiness()
        let start = ContinuousClock.now
        readiness.set("kernel-log", ready: true, detail: "following kernel messages live")
        readiness.notice("clock", for: .seconds(3600), detail: "wall clock stepped back by 1 h", now: start)
        let during = readiness.report(now: start + .seconds(3599))
        #expect(during.ready)
        #expect(during.lines.contains("clock: ready - wall clock stepped back by 1 h"))
        let after = readiness.report(now: start + .seconds(3600))
        #expect(after.ready)
        #expect(after.lines == ["kernel-log: ready - following kernel messages live"])
        // A part set plainly is never forgotten by time.
        #expect(readiness.report(now: start + .seconds(86_400 * 365)).lines.count == 1)
    }

    @Test func aNoticeSetAgainShowsForItsWholeDurationAgain() {
        let readiness = Readiness()
        let start = ContinuousClock.now
        readiness.notice("journal-position", for: .seconds(60), detail: "first", now: start)
        readiness.notice("journal-position", for: .seconds(60), detail: "second", now: start + .seconds(50))
        #expect(readiness.report(now: start + .seconds(100)).lines == ["journal-position: ready - second"])
        #expect(readiness.report(now: start + .seconds(110)).lines.isEmpty)
    }
}
