/// One measurement fed to `AlertEngine` in a poll: the value of a rule's condition for a subject.
/// A subject that is not observed in a poll counts as "condition not met".
public struct AlertObservation: Sendable, Hashable {
    /// The rule this value is for.
    public var rule: AlertName
    /// What it is about (`system.slice`, `haproxy.service`).
    public var subject: String
    /// The value (ratio, count, or 1 for a present condition).
    public var value: Double
    /// The severity the source wants (e.g. a finding's); nil lets the rule's thresholds decide.
    /// When set, the value is compared with the warning threshold only and the alert never
    /// goes above this severity.
    public var severity: AlertSeverity?
    /// A one-line summary to use instead of the rule's generated one.
    public var summary: String?
    /// Who the subject is (pod with namespace, container and QoS; unit; slice), for the alert's labels.
    public var owner: OwnerLabels?

    public init(rule: AlertName, subject: String, value: Double, severity: AlertSeverity? = nil, summary: String? = nil, owner: OwnerLabels? = nil) {
        self.rule = rule
        self.subject = subject
        self.value = value
        self.severity = severity
        self.summary = summary
        self.owner = owner
    }

    /// The owner labels of a tracked slice (`kubepods`, `system.slice`, `kube.slice`) by its path.
    static func sliceOwner(path: String) -> OwnerLabels {
        OwnerLabels(CgroupPathClassifier.classify(path))
    }

    /// SliceMemoryPressure observations: working set / limit of each limited slice
    /// (pass kubepods, system.slice and kube.slice). Subject: the slice's name.
    public static func slicePressure(_ slices: [SliceFacts]) -> [AlertObservation] {
        slices.compactMap { slice in
            guard let limit = slice.limitBytes, limit > 0 else { return nil }
            return AlertObservation(rule: .sliceMemoryPressure, subject: slice.name, value: Double(slice.workingSetBytes) / Double(limit),
                                    owner: sliceOwner(path: slice.path))
        }
    }

    /// SliceMemoryPSI observations: v2 `some avg10` (ratio) of each slice that has PSI.
    public static func slicePressureStall(_ slices: [SliceFacts]) -> [AlertObservation] {
        slices.compactMap { slice in
            guard let psi = slice.pressureSomeAvg10 else { return nil }
            return AlertObservation(rule: .sliceMemoryPSI, subject: slice.name, value: psi, owner: sliceOwner(path: slice.path))
        }
    }

    /// CgroupOOMKills observations from the kills per owner within the kill window
    /// (`NodeFactsBuilder.ownerKills`); kills of one owner that hit different limits count together.
    public static func oomKills(_ owners: [OwnerKillFacts]) -> [AlertObservation] {
        var counts: [String: (count: Int, labels: OwnerLabels)] = [:]
        for owner in owners where owner.count > 0 {
            counts[owner.displayName, default: (0, owner.labels)].count += owner.count
        }
        return counts.sorted { $0.key < $1.key }.map { subject, entry in
            AlertObservation(rule: .cgroupOOMKills, subject: subject, value: Double(entry.count), owner: entry.labels)
        }
    }

    /// System/KubeSliceLimitTooSmall observations from the current findings (warning and critical ones).
    public static func sliceLimits(from findings: [Finding]) -> [AlertObservation] {
        findings.compactMap { finding in
            let rule: AlertName
            switch finding.id {
            case Finding.Kind.systemSliceLimitTooSmall: rule = .systemSliceLimitTooSmall
            case Finding.Kind.kubeSliceLimitTooSmall: rule = .kubeSliceLimitTooSmall
            default: return nil
            }
            let severity: AlertSeverity
            switch finding.severity {
            case .critical: severity = .critical
            case .warning: severity = .warning
            case .info: return nil
            }
            let subject = finding.subject.split(separator: "/").last.map(String.init) ?? finding.subject
            return AlertObservation(rule: rule, subject: subject, value: 1, severity: severity, summary: finding.title,
                                    owner: sliceOwner(path: finding.subject))
        }
    }

    /// A NodeRebootedUnexpectedly observation (feed it once, at start, when the previous boot ended uncleanly).
    public static func unexpectedReboot(previousBootID: String?, severity: AlertSeverity = .warning) -> AlertObservation {
        let summary = previousBootID.map { "the previous boot (\($0)) ended without a clean shutdown" }
            ?? "the previous boot ended without a clean shutdown"
        return AlertObservation(rule: .nodeRebootedUnexpectedly, subject: "node", value: 1, severity: severity, summary: summary)
    }
}
