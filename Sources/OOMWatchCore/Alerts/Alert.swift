#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The alerts oomwatch evaluates (the `alert` metric label).
public enum AlertName: String, Sendable, Hashable, Codable, CaseIterable {
    /// Working set / limit of kubepods, system.slice or kube.slice is high.
    case sliceMemoryPressure = "SliceMemoryPressure"
    /// cgroup v2 memory PSI `some avg10` of a slice is high.
    case sliceMemoryPSI = "SliceMemoryPSI"
    /// One owner was OOM-killed repeatedly within a window.
    case cgroupOOMKills = "CgroupOOMKills"
    /// The system-reserved slice is limited below its needs (from a finding).
    case systemSliceLimitTooSmall = "SystemSliceLimitTooSmall"
    /// The kube-reserved slice is limited below its needs (from a finding).
    case kubeSliceLimitTooSmall = "KubeSliceLimitTooSmall"
    /// The previous boot ended without a clean shutdown.
    case nodeRebootedUnexpectedly = "NodeRebootedUnexpectedly"
}

/// How urgent an alert is (the `severity` metric label).
public enum AlertSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case warning
    case critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs == .warning && rhs == .critical }
}

/// Where an alert is in its life.
public enum AlertState: String, Sendable, Hashable, Codable {
    /// The condition holds but not yet for the rule's for-duration.
    case pending
    /// The condition held for the for-duration; the alert is active.
    case firing
    /// The alert stopped firing.
    case resolved
}

/// A named condition on a subject, e.g. `SliceMemoryPressure` on `system.slice`.
public struct Alert: Sendable, Hashable, Codable {
    /// The rule.
    public var name: AlertName
    /// What it is about (`system.slice`, `haproxy.service`, `node`).
    public var subject: String
    /// How urgent.
    public var severity: AlertSeverity
    /// Pending, firing or resolved.
    public var state: AlertState
    /// When the current state began (pending: the condition started; firing: it fired; resolved: it resolved).
    public var since: Date
    /// The last observed value (a ratio 0–1, a count, or 1 for a present condition).
    public var value: Double
    /// The threshold of the current severity.
    public var threshold: Double
    /// One line for people.
    public var summary: String
    /// Who the subject is: a pod's namespace, name, container and QoS, a unit, a slice; nil for the node.
    public var owner: OwnerLabels?

    public init(name: AlertName, subject: String, severity: AlertSeverity, state: AlertState, since: Date, value: Double, threshold: Double, summary: String,
                owner: OwnerLabels? = nil) {
        self.name = name
        self.subject = subject
        self.severity = severity
        self.state = state
        self.since = since
        self.value = value
        self.threshold = threshold
        self.summary = summary
        self.owner = owner
    }
}
