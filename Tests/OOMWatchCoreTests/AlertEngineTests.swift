import Foundation
import Testing
@testable import OOMWatchCore

/// An injected clock: seconds after a fixed start.
struct TestClock {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }
}

@Suite struct AlertEngineTests {
    private func pressure(_ value: Double, _ subject: String = "system.slice") -> [AlertObservation] {
        [AlertObservation(rule: .sliceMemoryPressure, subject: subject, value: value)]
    }

    @Test func pendingBecomesFiringAfterTheForDuration() throws {
        var engine = AlertEngine()
        #expect(engine.evaluate(observations: pressure(0.92), now: TestClock.at(0)) == [])
        #expect(engine.active == [Alert(
            name: .sliceMemoryPressure, subject: "system.slice", severity: .warning, state: .pending,
            since: TestClock.at(0), value: 0.92, threshold: 0.90,
            summary: "system.slice working set is 92% of its memory limit (warning at 90%)")])
        #expect(engine.evaluate(observations: pressure(0.93), now: TestClock.at(30)) == [])
        #expect(engine.evaluate(observations: pressure(0.93), now: TestClock.at(59.9)) == [])
        let transitions = engine.evaluate(observations: pressure(0.93), now: TestClock.at(60))
        let expected = Alert(
            name: .sliceMemoryPressure, subject: "system.slice", severity: .warning, state: .firing,
            since: TestClock.at(60), value: 0.93, threshold: 0.90,
            summary: "system.slice working set is 93% of its memory limit (warning at 90%)")
        #expect(transitions == [AlertTransition(kind: .firing, alert: expected, at: TestClock.at(60))])
        #expect(engine.active == [expected])
        #expect(engine.firing == [expected])
        // Still firing: no repeated event.
        #expect(engine.evaluate(observations: pressure(0.93), now: TestClock.at(75)) == [])
    }

    @Test func noFiringWhenTheConditionDropsDuringPending() {
        var engine = AlertEngine()
        #expect(engine.evaluate(observations: pressure(0.92), now: TestClock.at(0)) == [])
        #expect(engine.evaluate(observations: pressure(0.85), now: TestClock.at(30)) == [])
        #expect(engine.active == [])
        #expect(engine.evaluate(observations: pressure(0.92), now: TestClock.at(45)) == [])
        #expect(engine.evaluate(observations: pressure(0.92), now: TestClock.at(90)) == [])
        #expect(engine.active.map(\.state) == [.pending])
        #expect(engine.active.first?.since == TestClock.at(45))
        // A poll without the subject also cancels pending.
        #expect(engine.evaluate(observations: [], now: TestClock.at(100)) == [])
        #expect(engine.active == [])
        #expect(engine.evaluate(observations: pressure(0.92), now: TestClock.at(115)) == [])
        let fired = engine.evaluate(observations: pressure(0.92), now: TestClock.at(175))
        #expect(fired.map(\.kind) == [.firing])
    }

    @Test func valuesOscillatingAroundTheThresholdDoNotFlap() {
        var engine = AlertEngine()
        var events: [AlertTransition] = []
        // 10 minutes of 0.89 / 0.91 every 15 s: the condition never holds for a minute.
        for step in 0..<40 {
            events += engine.evaluate(observations: pressure(step % 2 == 0 ? 0.89 : 0.91), now: TestClock.at(Double(step) * 15))
        }
        #expect(events == [])
        // Sustained: fires once.
        for step in 40..<45 {
            events += engine.evaluate(observations: pressure(0.91), now: TestClock.at(Double(step) * 15))
        }
        // The last 0.91 of the oscillation (step 39) starts the minute: fires at step 43.
        #expect(events.map(\.kind) == [.firing])
        #expect(events.first?.at == TestClock.at(43 * 15))
        events = []
        // Firing and oscillating between 0.86 and 0.91: above threshold − margin (0.85), never resolves.
        for step in 45..<85 {
            events += engine.evaluate(observations: pressure(step % 2 == 0 ? 0.86 : 0.91), now: TestClock.at(Double(step) * 15))
        }
        #expect(events == [])
        // Dipping below 0.85 for less than keep-firing-for (60 s) does not resolve either.
        for step in 85..<88 {
            events += engine.evaluate(observations: pressure(0.84), now: TestClock.at(Double(step) * 15))
        }
        events += engine.evaluate(observations: pressure(0.88), now: TestClock.at(88 * 15))
        #expect(events == [])
        // A minute after the last evaluation above 0.85 (step 88), it resolves, once.
        for step in 89..<94 {
            events += engine.evaluate(observations: pressure(0.80), now: TestClock.at(Double(step) * 15))
        }
        #expect(events.map(\.kind) == [.resolved])
        #expect(events.first?.at == TestClock.at(92 * 15))
        #expect(events.first?.alert.state == .resolved)
        #expect(events.first?.alert.since == TestClock.at(92 * 15))
        #expect(events.first?.firingSince == TestClock.at(43 * 15))
        #expect(events.first?.previousSeverity == .warning)
        #expect(engine.active == [])
    }

    @Test func severityEscalatesAndFallsBackWithHysteresis() {
        var engine = AlertEngine()
        _ = engine.evaluate(observations: pressure(0.92), now: TestClock.at(0))
        #expect(engine.evaluate(observations: pressure(0.92), now: TestClock.at(60)).map(\.kind) == [.firing])
        // ≥ 97 % must also hold for the for-duration before escalating.
        #expect(engine.evaluate(observations: pressure(0.98), now: TestClock.at(75)) == [])
        #expect(engine.active.map(\.severity) == [.warning])
        let escalated = engine.evaluate(observations: pressure(0.98), now: TestClock.at(135))
        #expect(escalated.count == 1)
        #expect(escalated.first?.kind == .severityChanged)
        #expect(escalated.first?.previousSeverity == .warning)
        #expect(escalated.first?.alert.severity == .critical)
        #expect(escalated.first?.alert.threshold == 0.97)
        #expect(escalated.first?.alert.since == TestClock.at(60))
        #expect(escalated.first?.alert.summary == "system.slice working set is 98% of its memory limit (critical at 97%)")
        // 0.95 is above 0.97 − 0.05: stays critical however long.
        for step in 0..<10 {
            #expect(engine.evaluate(observations: pressure(0.95), now: TestClock.at(150 + Double(step) * 15)) == [])
        }
        #expect(engine.active.map(\.severity) == [.critical])
        // 0.91 is below 0.92: back to warning after keep-firing-for.
        #expect(engine.evaluate(observations: pressure(0.91), now: TestClock.at(300)) == [])
        let deescalated = engine.evaluate(observations: pressure(0.91), now: TestClock.at(360))
        #expect(deescalated.map(\.kind) == [.severityChanged])
        #expect(deescalated.first?.previousSeverity == .critical)
        #expect(deescalated.first?.alert.severity == .warning)
        // Then below 0.85 for a minute: resolved.
        _ = engine.evaluate(observations: pressure(0.70), now: TestClock.at(375))
        let resolved = engine.evaluate(observations: pressure(0.70), now: TestClock.at(435))
        #expect(resolved.map(\.kind) == [.resolved])
        #expect(resolved.first?.previousSeverity == .warning)
    }

    @Test func aValueAboveCriticalFiresCriticalDirectly() {
        var engine = AlertEngine()
        _ = engine.evaluate(observations: pressure(0.99), now: TestClock.at(0))
        #expect(engine.active.first?.severity == .critical)
        #expect(engine.active.first?.state == .pending)
        let fired = engine.evaluate(observations: pressure(0.99), now: TestClock.at(60))
        #expect(fired.map(\.kind) == [.firing])
        #expect(fired.first?.alert.severity == .critical)
        #expect(fired.first?.alert.threshold == 0.97)
    }

    @Test func subjectsAreIndependent() {
        var engine = AlertEngine()
        _ = engine.evaluate(observations: pressure(0.95, "system.slice") + pressure(0.5, "kube.slice") + pressure(0.99, "kubepods"), now: TestClock.at(0))
        let fired = engine.evaluate(observations: pressure(0.95, "system.slice") + pressure(0.99, "kubepods"), now: TestClock.at(60))
        #expect(fired.map(\.alert.subject) == ["kubepods", "system.slice"])
        #expect(engine.active.map { "\($0.severity.rawValue) \($0.subject)" } == ["critical kubepods", "warning system.slice"])
    }

    @Test func cgroupOOMKillsCountKillsWithinTheWindow() {
        var thresholds = AlertThresholds()
        thresholds.oomKillsWindow = .seconds(15 * 60)
        var engine = AlertEngine(rules: AlertRuleSet(thresholds: thresholds))
        var kills: [OOMKill] = []
        func kill(at seconds: Double, pid: Int) -> OOMKill {
            EventTestData.kill(pid: pid, comm: "haproxy", taskCgroup: "/system.slice/haproxy.service", limitCgroup: "/system.slice",
                               realtimeMicros: Int64(TestClock.at(seconds).timeIntervalSince1970 * 1_000_000), monotonicMicros: Int64(seconds * 1_000_000) + 1_000_000)
        }
        // What the daemon does each poll: the kills of the last 15 minutes, per owner.
        func observe(_ now: Double) -> [AlertObservation] {
            AlertObservation.oomKills(NodeFactsBuilder.ownerKills(kills, hierarchyPrefix: "", window: TestClock.at(now - 900)...TestClock.at(now)))
        }
        let unit = OwnerLabels(ownerKind: "unit", slice: "system.slice", unit: "haproxy.service")

        kills.append(kill(at: 0, pid: 1))
        var events = engine.evaluate(observations: observe(1), now: TestClock.at(1))
        #expect(events.map(\.kind) == [.firing])
        #expect(events.first?.alert == Alert(
            name: .cgroupOOMKills, subject: "haproxy.service", severity: .warning, state: .firing,
            since: TestClock.at(1), value: 1, threshold: 1,
            summary: "haproxy.service was OOM-killed 1 time within the kill window (warning at 1)", owner: unit))

        kills.append(kill(at: 60, pid: 2))
        kills.append(kill(at: 120, pid: 3))
        events = engine.evaluate(observations: observe(121), now: TestClock.at(121))
        #expect(events.map(\.kind) == [.severityChanged])
        #expect(events.first?.alert.severity == .critical)
        #expect(events.first?.alert.summary == "haproxy.service was OOM-killed 3 times within the kill window (critical at 3)")

        // At 15m30s the first kill has left the window: 2 kills, back to warning.
        #expect(observe(930).first?.value == 2)
        events = engine.evaluate(observations: observe(930), now: TestClock.at(930))
        #expect(events.map(\.kind) == [.severityChanged])
        #expect(events.first?.alert.severity == .warning)
        // After 17 minutes all kills have left the window: resolved.
        #expect(observe(1021).isEmpty)
        events = engine.evaluate(observations: observe(1021), now: TestClock.at(1021))
        #expect(events.map(\.kind) == [.resolved])
        #expect(engine.active == [])
    }

    @Test func aPodKillAlertCarriesNamespacePodContainerAndQoS() {
        var engine = AlertEngine()
        var kill = EventTestData.kill(pid: 7, comm: "java", taskCgroup: "/kubepods/burstable/pod5e3c4bcb-760b-11e9-bcb4-5c260afbd27c/56f14365daad5b7e",
                                      limitCgroup: "/kubepods/burstable/pod5e3c4bcb-760b-11e9-bcb4-5c260afbd27c",
                                      realtimeMicros: Int64(TestClock.at(0).timeIntervalSince1970 * 1_000_000), monotonicMicros: 5_000_000)
        if case .pod(var pod) = kill.owner {
            pod.namespace = "shop"
            pod.podName = "checkout-7d9f"
            pod.containerName = "app"
            kill.owner = .pod(pod)
        }
        let observations = AlertObservation.oomKills(NodeFactsBuilder.ownerKills([kill], hierarchyPrefix: "", window: TestClock.at(-60)...TestClock.at(1)))
        let fired = engine.evaluate(observations: observations, now: TestClock.at(1))
        #expect(fired.first?.alert.subject == "shop/checkout-7d9f/app")
        #expect(fired.first?.alert.owner == OwnerLabels(ownerKind: "pod", slice: "kubepods", namespace: "shop", pod: "checkout-7d9f", container: "app", qos: "burstable"))
        // A slice alert names its slice.
        let pressure = AlertObservation.slicePressure([SliceFacts(path: "/system.slice", limitBytes: 100, usageBytes: 99, workingSetBytes: 99)])
        #expect(pressure.first?.owner == OwnerLabels(ownerKind: "slice", slice: "system.slice"))
    }

    @Test func aClockSteppedBackDoesNotStretchTheForDuration() {
        var thresholds = AlertThresholds()
        thresholds.slicePressureFor = .seconds(60)
        var shifted = AlertEngine(rules: AlertRuleSet(thresholds: thresholds))
        var unshifted = shifted
        let hot = [AlertObservation(rule: .sliceMemoryPressure, subject: "system.slice", value: 0.95)]
        for engine in [0, 1] {
            _ = engine == 0 ? shifted.evaluate(observations: hot, now: TestClock.at(0)) : unshifted.evaluate(observations: hot, now: TestClock.at(0))
        }
        // 30 s later the clock is stepped back an hour; 40 s after that the condition has held 70 s.
        shifted.shift(bySeconds: -3600)
        let fired = shifted.evaluate(observations: hot, now: TestClock.at(70 - 3600))
        #expect(fired.map(\.kind) == [.firing], "fires after 70 s of pressure, on the new clock")
        #expect(unshifted.evaluate(observations: hot, now: TestClock.at(70 - 3600)) == [], "without the shift it would wait another hour")
    }

    @Test func sliceLimitAlertsFollowFindings() throws {
        var engine = AlertEngine()
        let findings = NodeDiagnosis.findings(for: try SeedIncident.facts())
        let observations = AlertObservation.sliceLimits(from: findings)
        #expect(observations == [
            AlertObservation(rule: .systemSliceLimitTooSmall, subject: "system.slice", value: 1, severity: .critical, summary: SeedIncident.title,
                             owner: OwnerLabels(ownerKind: "slice", slice: "system.slice")),
            AlertObservation(rule: .kubeSliceLimitTooSmall, subject: "kube.slice", value: 1, severity: .warning, summary: findings[3].title,
                             owner: OwnerLabels(ownerKind: "slice", slice: "kube.slice")),
        ])
        let fired = engine.evaluate(observations: observations, now: TestClock.at(0))
        #expect(fired.map { "\($0.kind.rawValue) \($0.alert.name.rawValue) \($0.alert.severity.rawValue)" } == [
            "firing KubeSliceLimitTooSmall warning",
            "firing SystemSliceLimitTooSmall critical",
        ])
        #expect(fired.last?.alert.summary == SeedIncident.title)
        #expect(fired.last?.alert.threshold == 1)
        // The findings go away (limit raised): resolved 5 minutes after they were last seen, not before.
        #expect(engine.evaluate(observations: observations, now: TestClock.at(60)) == [])
        #expect(engine.evaluate(observations: [], now: TestClock.at(120)) == [])
        #expect(engine.evaluate(observations: [], now: TestClock.at(359)) == [])
        #expect(engine.evaluate(observations: [], now: TestClock.at(360)).map(\.kind) == [.resolved, .resolved])
    }

    @Test func unexpectedRebootFiresOnceAndResolvesAfterAnHour() {
        var engine = AlertEngine()
        let fired = engine.evaluate(observations: [AlertObservation.unexpectedReboot(previousBootID: "4f1c")], now: TestClock.at(0))
        #expect(fired.map(\.kind) == [.firing])
        #expect(fired.first?.alert.summary == "the previous boot (4f1c) ended without a clean shutdown")
        #expect(fired.first?.alert.subject == "node")
        #expect(engine.evaluate(observations: [], now: TestClock.at(3599)) == [])
        #expect(engine.firing.count == 1)
        #expect(engine.evaluate(observations: [], now: TestClock.at(3600)).map(\.kind) == [.resolved])
    }

    @Test func psiObservationsUseTheirOwnThresholds() {
        var engine = AlertEngine()
        let slices = [
            SliceFacts(path: "/system.slice", limitBytes: 100, workingSetBytes: 95, pressureSomeAvg10: 0.45),
            SliceFacts(path: "/kube.slice", workingSetBytes: 10, pressureSomeAvg10: 0.02),
        ]
        #expect(AlertObservation.slicePressure(slices) == [AlertObservation(rule: .sliceMemoryPressure, subject: "system.slice", value: 0.95,
                                                                                     owner: OwnerLabels(ownerKind: "slice", slice: "system.slice"))])
        let observations = AlertObservation.slicePressureStall(slices)
        #expect(observations.count == 2)
        _ = engine.evaluate(observations: observations, now: TestClock.at(0))
        let fired = engine.evaluate(observations: observations, now: TestClock.at(60))
        #expect(fired.map(\.alert.summary) == ["system.slice memory pressure (PSI some avg10) is 45% (critical at 40%)"])
    }

    @Test func rulesAreConfigurable() {
        var thresholds = AlertThresholds()
        thresholds.slicePressureWarning = 0.5
        thresholds.slicePressureFor = .zero
        thresholds.slicePressureKeepFiringFor = .zero
        thresholds.slicePressureMargin = 0.1
        var engine = AlertEngine(rules: AlertRuleSet(thresholds: thresholds))
        #expect(engine.evaluate(observations: pressure(0.5), now: TestClock.at(0)).map(\.kind) == [.firing])
        #expect(engine.evaluate(observations: pressure(0.41), now: TestClock.at(1)) == [])
        #expect(engine.evaluate(observations: pressure(0.39), now: TestClock.at(2)).map(\.kind) == [.resolved])
        // Observations of rules that are not configured are ignored.
        var only = AlertEngine(rules: AlertRuleSet(rules: [AlertRule(name: .cgroupOOMKills, warningThreshold: 1, valueKind: .count)]))
        #expect(only.evaluate(observations: pressure(1.0), now: TestClock.at(0)) == [])
        #expect(only.active == [])
    }

    @Test func transitionsAreCodable() throws {
        var engine = AlertEngine()
        let fired = engine.evaluate(observations: [AlertObservation.unexpectedReboot(previousBootID: nil)], now: TestClock.at(0))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode([AlertTransition].self, from: encoder.encode(fired)) == fired)
    }
}
