/// How one alert is evaluated: thresholds, hysteresis and timing.
public struct AlertRule: Sendable, Hashable {
    /// What the value measures, for summaries.
    public enum ValueKind: String, Sendable, Hashable {
        /// A ratio 0–1, shown as a percentage.
        case ratio
        /// A count of events.
        case count
        /// 1 while a condition is present, 0 otherwise.
        case condition
    }

    /// The alert this rule produces.
    public var name: AlertName
    /// The value at or above which the alert becomes pending, then firing, as a warning.
    public var warningThreshold: Double
    /// The value at or above which it is critical; nil when the rule has no critical level.
    public var criticalThreshold: Double?
    /// Hysteresis: a firing level is kept until the value falls below its threshold − margin.
    public var resolveMargin: Double
    /// How long the condition must hold before pending becomes firing (or a level escalates).
    public var forDuration: Duration
    /// How long the condition must stay cleared before firing resolves (or a level drops).
    public var keepFiringFor: Duration
    /// What the value measures.
    public var valueKind: ValueKind

    public init(
        name: AlertName,
        warningThreshold: Double,
        criticalThreshold: Double? = nil,
        resolveMargin: Double = 0,
        forDuration: Duration = .zero,
        keepFiringFor: Duration = .zero,
        valueKind: ValueKind
    ) {
        self.name = name
        self.warningThreshold = warningThreshold
        self.criticalThreshold = criticalThreshold
        self.resolveMargin = resolveMargin
        self.forDuration = forDuration
        self.keepFiringFor = keepFiringFor
        self.valueKind = valueKind
    }
}

/// The configurable numbers behind the six alert rules, with defaults.
public struct AlertThresholds: Sendable, Hashable {
    /// SliceMemoryPressure: working set / limit for a warning (0.90) …
    public var slicePressureWarning: Double = 0.90
    /// … and for critical (0.97).
    public var slicePressureCritical: Double = 0.97
    /// … resolves 0.05 (5 percentage points) below the threshold.
    public var slicePressureMargin: Double = 0.05
    /// … must hold 1 minute to fire.
    public var slicePressureFor: Duration = .seconds(60)
    /// … must stay cleared 1 minute to resolve.
    public var slicePressureKeepFiringFor: Duration = .seconds(60)

    /// SliceMemoryPSI: `some avg10` ratio for a warning (0.10) …
    public var psiWarning: Double = 0.10
    /// … and for critical (0.40).
    public var psiCritical: Double = 0.40
    /// … resolves 0.05 below the threshold.
    public var psiMargin: Double = 0.05
    /// … must hold 1 minute to fire.
    public var psiFor: Duration = .seconds(60)
    /// … must stay cleared 2 minutes to resolve.
    public var psiKeepFiringFor: Duration = .seconds(120)

    /// CgroupOOMKills: kills of one owner within the window for a warning (1) …
    public var oomKillsWarning: Double = 1
    /// … and for critical (3).
    public var oomKillsCritical: Double = 3
    /// … counted within this window (15 minutes), from the kills in `/events` each poll.
    public var oomKillsWindow: Duration = .seconds(15 * 60)
    /// … must stay below the threshold this long to resolve (the window already spreads it: 0).
    public var oomKillsKeepFiringFor: Duration = .zero

    /// System/KubeSliceLimitTooSmall: how long a finding must stay gone to resolve (5 minutes).
    public var sliceLimitKeepFiringFor: Duration = .seconds(5 * 60)

    /// NodeRebootedUnexpectedly: how long the alert stays firing after the last observation (1 hour).
    public var rebootKeepFiringFor: Duration = .seconds(3600)

    public init() {}
}

/// The six rules, built from `AlertThresholds`.
public struct AlertRuleSet: Sendable, Hashable {
    /// The rules by name.
    public private(set) var rules: [AlertName: AlertRule]

    /// The rules with `thresholds`.
    public init(thresholds: AlertThresholds = AlertThresholds()) {
        let t = thresholds
        self.rules = [
            .sliceMemoryPressure: AlertRule(
                name: .sliceMemoryPressure, warningThreshold: t.slicePressureWarning, criticalThreshold: t.slicePressureCritical,
                resolveMargin: t.slicePressureMargin, forDuration: t.slicePressureFor, keepFiringFor: t.slicePressureKeepFiringFor,
                valueKind: .ratio),
            .sliceMemoryPSI: AlertRule(
                name: .sliceMemoryPSI, warningThreshold: t.psiWarning, criticalThreshold: t.psiCritical,
                resolveMargin: t.psiMargin, forDuration: t.psiFor, keepFiringFor: t.psiKeepFiringFor, valueKind: .ratio),
            .cgroupOOMKills: AlertRule(
                name: .cgroupOOMKills, warningThreshold: t.oomKillsWarning, criticalThreshold: t.oomKillsCritical,
                resolveMargin: 0, forDuration: .zero, keepFiringFor: t.oomKillsKeepFiringFor, valueKind: .count),
            .systemSliceLimitTooSmall: AlertRule(
                name: .systemSliceLimitTooSmall, warningThreshold: 1, resolveMargin: 0.5,
                keepFiringFor: t.sliceLimitKeepFiringFor, valueKind: .condition),
            .kubeSliceLimitTooSmall: AlertRule(
                name: .kubeSliceLimitTooSmall, warningThreshold: 1, resolveMargin: 0.5,
                keepFiringFor: t.sliceLimitKeepFiringFor, valueKind: .condition),
            .nodeRebootedUnexpectedly: AlertRule(
                name: .nodeRebootedUnexpectedly, warningThreshold: 1, resolveMargin: 0.5,
                keepFiringFor: t.rebootKeepFiringFor, valueKind: .condition),
        ]
    }

    /// The rules as given (for tests and custom rules).
    public init(rules: [AlertRule]) {
        var byName: [AlertName: AlertRule] = [:]
        for rule in rules { byName[rule.name] = rule }
        self.rules = byName
    }

    /// The rule for `name`, if configured.
    public subscript(name: AlertName) -> AlertRule? { rules[name] }
}
