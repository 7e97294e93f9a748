#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A change of an alert that is an event: it started firing, its severity changed, or it resolved.
public struct AlertTransition: Sendable, Hashable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, Codable {
        case firing
        case severityChanged
        case resolved
    }

    /// What happened.
    public var kind: Kind
    /// The alert after the change (state `resolved` for a resolution).
    public var alert: Alert
    /// When it happened.
    public var at: Date
    /// The severity before a change or a resolution.
    public var previousSeverity: AlertSeverity?
    /// When the alert started firing (for severity changes and resolutions).
    public var firingSince: Date?

    public init(kind: Kind, alert: Alert, at: Date, previousSeverity: AlertSeverity? = nil, firingSince: Date? = nil) {
        self.kind = kind
        self.alert = alert
        self.at = at
        self.previousSeverity = previousSeverity
        self.firingSince = firingSince
    }
}

/// Evaluates alert rules over observations, one poll at a time, with time passed in.
///
/// For each (rule, subject): a level (warning, critical) becomes pending when the value reaches its
/// threshold and fires once it has held for the rule's `forDuration`; a pending level that stops
/// holding is dropped without an event. A firing level holds until the value falls below
/// threshold − `resolveMargin` (hysteresis) and `keepFiringFor` has passed since the last
/// evaluation at which it held; only then does the alert drop a level or resolve. Values
/// oscillating around a threshold therefore do not flap.
public struct AlertEngine: Sendable {
    /// The rules in force.
    public var rules: AlertRuleSet
    private var tracked: [Key: Tracked] = [:]

    private struct Key: Hashable, Sendable {
        var name: AlertName
        var subject: String
    }

    private struct Tracked: Sendable {
        /// 0 = not firing, 1 = warning, 2 = critical.
        var firingLevel = 0
        var firingSince: Date?
        /// Per level (index 1 and 2): since when its condition holds / does not hold continuously.
        var holdingSince: [Date?] = [nil, nil, nil]
        /// Per level: the last evaluation at which it held (from then on it counts as cleared).
        var lastHeld: [Date?] = [nil, nil, nil]
        var clearSince: [Date?] = [nil, nil, nil]
        var value: Double = 0
        var summary: String?
        var owner: OwnerLabels?
        /// The last observation named its severity (a finding): thresholds are the warning one.
        var fixedSeverity = false
    }

    public init(rules: AlertRuleSet = AlertRuleSet()) {
        self.rules = rules
    }

    /// The wall clock was stepped by `seconds` (negative: back): the times the engine remembers move
    /// with it, so a for-duration or keep-firing period lasts as long as it should, not an extra hour.
    public mutating func shift(bySeconds seconds: Double) {
        func moved(_ date: Date?) -> Date? { date?.addingTimeInterval(seconds) }
        for key in tracked.keys {
            var state = tracked[key]!
            state.firingSince = moved(state.firingSince)
            state.holdingSince = state.holdingSince.map(moved)
            state.lastHeld = state.lastHeld.map(moved)
            state.clearSince = state.clearSince.map(moved)
            tracked[key] = state
        }
    }

    /// Evaluates one poll's observations at `now` and returns the events it caused (firing,
    /// severity changes, resolutions), in a stable order. Observations of rules without a
    /// configured rule are ignored; several observations of one (rule, subject) count as their maximum.
    public mutating func evaluate(observations: [AlertObservation], now: Date) -> [AlertTransition] {
        var observed: [Key: AlertObservation] = [:]
        for observation in observations where rules[observation.rule] != nil && observation.value.isFinite {
            let key = Key(name: observation.rule, subject: observation.subject)
            if let existing = observed[key], existing.value >= observation.value,
               (existing.severity ?? .warning) >= (observation.severity ?? .warning) {
                continue
            }
            observed[key] = observation
        }

        var keys = Set(tracked.keys)
        keys.formUnion(observed.keys)
        var transitions: [AlertTransition] = []
        for key in keys.sorted(by: { ($0.name.rawValue, $0.subject) < ($1.name.rawValue, $1.subject) }) {
            guard let rule = rules[key.name] else {
                tracked[key] = nil
                continue
            }
            var state = tracked[key] ?? Tracked()
            let observation = observed[key]
            if let observation {
                state.value = observation.value
                state.summary = observation.summary
                state.owner = observation.owner ?? state.owner
                state.fixedSeverity = observation.severity != nil
            }
            let previousLevel = state.firingLevel

            // Which levels hold now, with hysteresis for levels already firing.
            let maxLevel: Int
            if let wanted = observation?.severity {
                maxLevel = wanted == .critical ? 2 : 1
            } else {
                maxLevel = rule.criticalThreshold == nil ? 1 : 2
            }
            for level in 1...2 {
                var holds = false
                if let observation, level <= maxLevel {
                    let threshold = Self.threshold(level: level, rule: rule, fixedSeverity: observation.severity != nil)
                    holds = state.firingLevel >= level
                        ? observation.value >= threshold - rule.resolveMargin
                        : observation.value >= threshold
                }
                if holds {
                    if state.holdingSince[level] == nil { state.holdingSince[level] = now }
                    state.lastHeld[level] = now
                    state.clearSince[level] = nil
                } else {
                    state.holdingSince[level] = nil
                    if state.clearSince[level] == nil { state.clearSince[level] = state.lastHeld[level] ?? now }
                }
            }

            // Raise to the highest level that has held for the for-duration.
            var newLevel = state.firingLevel
            for level in stride(from: 2, through: 1, by: -1) where level > state.firingLevel {
                if let since = state.holdingSince[level], now.timeIntervalSince(since) >= Self.seconds(rule.forDuration) {
                    newLevel = level
                    break
                }
            }
            // Otherwise drop the firing levels that have been clear for keep-firing-for.
            if newLevel == state.firingLevel {
                var level = state.firingLevel
                while level >= 1, let since = state.clearSince[level],
                      now.timeIntervalSince(since) >= Self.seconds(rule.keepFiringFor) {
                    level -= 1
                }
                newLevel = level
            }
            state.firingLevel = newLevel

            if previousLevel == 0 && newLevel > 0 {
                state.firingSince = now
                let alert = Self.alert(key: key, rule: rule, state: state, level: newLevel, alertState: .firing, since: now)
                transitions.append(AlertTransition(kind: .firing, alert: alert, at: now))
            } else if previousLevel > 0 && newLevel == 0 {
                let alert = Self.alert(key: key, rule: rule, state: state, level: previousLevel, alertState: .resolved, since: now)
                transitions.append(AlertTransition(
                    kind: .resolved, alert: alert, at: now,
                    previousSeverity: Self.severity(previousLevel), firingSince: state.firingSince))
                state.firingSince = nil
            } else if previousLevel > 0 && newLevel != previousLevel {
                let alert = Self.alert(key: key, rule: rule, state: state, level: newLevel, alertState: .firing, since: state.firingSince ?? now)
                transitions.append(AlertTransition(
                    kind: .severityChanged, alert: alert, at: now,
                    previousSeverity: Self.severity(previousLevel), firingSince: state.firingSince))
            }

            if state.firingLevel == 0 && state.holdingSince[1] == nil && state.holdingSince[2] == nil {
                tracked[key] = nil
            } else {
                tracked[key] = state
            }
        }
        return transitions
    }

    /// The pending and firing alerts, firing first, then by severity, name and subject.
    public var active: [Alert] {
        var alerts: [Alert] = []
        for (key, state) in tracked {
            guard let rule = rules[key.name] else { continue }
            if state.firingLevel > 0 {
                alerts.append(Self.alert(key: key, rule: rule, state: state, level: state.firingLevel, alertState: .firing, since: state.firingSince ?? Date.distantPast))
            } else if let level = [2, 1].first(where: { state.holdingSince[$0] != nil }), let since = state.holdingSince[level] {
                let start = state.holdingSince[1].map { min($0, since) } ?? since
                alerts.append(Self.alert(key: key, rule: rule, state: state, level: level, alertState: .pending, since: start))
            }
        }
        return alerts.sorted { lhs, rhs in
            if lhs.state != rhs.state { return lhs.state == .firing }
            if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
            return (lhs.name.rawValue, lhs.subject) < (rhs.name.rawValue, rhs.subject)
        }
    }

    /// The firing alerts only.
    public var firing: [Alert] { active.filter { $0.state == .firing } }

    // MARK: - Helpers

    private static func threshold(level: Int, rule: AlertRule, fixedSeverity: Bool) -> Double {
        if level == 2 && !fixedSeverity, let critical = rule.criticalThreshold { return critical }
        return rule.warningThreshold
    }

    private static func severity(_ level: Int) -> AlertSeverity { level >= 2 ? .critical : .warning }

    private static func seconds(_ duration: Duration) -> Double {
        let components = duration.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    private static func alert(key: Key, rule: AlertRule, state: Tracked, level: Int, alertState: AlertState, since: Date) -> Alert {
        let threshold = Self.threshold(level: level, rule: rule, fixedSeverity: state.fixedSeverity)
        let severity = Self.severity(level)
        return Alert(
            name: key.name, subject: key.subject, severity: severity, state: alertState, since: since,
            value: state.value, threshold: threshold,
            summary: state.summary ?? summary(rule: rule, subject: key.subject, value: state.value, threshold: threshold, severity: severity),
            owner: state.owner
        )
    }

    /// The generated one-line summary for a rule.
    static func summary(rule: AlertRule, subject: String, value: Double, threshold: Double, severity: AlertSeverity) -> String {
        switch rule.name {
        case .sliceMemoryPressure:
            return "\(subject) working set is \(MemoryText.percent(value)) of its memory limit (\(severity.rawValue) at \(MemoryText.percent(threshold)))"
        case .sliceMemoryPSI:
            return "\(subject) memory pressure (PSI some avg10) is \(MemoryText.percent(value)) (\(severity.rawValue) at \(MemoryText.percent(threshold)))"
        case .cgroupOOMKills:
            let count = Int(value.rounded())
            return "\(subject) was OOM-killed \(count) \(count == 1 ? "time" : "times") within the kill window (\(severity.rawValue) at \(Int(threshold.rounded())))"
        case .systemSliceLimitTooSmall, .kubeSliceLimitTooSmall:
            return "\(subject) memory limit is too small for what runs in it"
        case .nodeRebootedUnexpectedly:
            return "the node rebooted without a clean shutdown"
        }
    }
}
