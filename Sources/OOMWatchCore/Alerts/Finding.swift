/// How urgent a finding is.
public enum FindingSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Worth knowing; nothing is broken.
    case info
    /// Likely to cause kills or pressure.
    case warning
    /// Causing kills or about to.
    case critical

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    public static func < (lhs: FindingSeverity, rhs: FindingSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// A diagnosis of the node's configuration with the facts behind it and what to do about it,
/// e.g. "system.slice is capped at 512 MiB … by kubelet's enforceNodeAllocatable …".
public struct Finding: Sendable, Hashable, Codable {
    /// What kind of finding this is (`SystemSliceLimitTooSmall`); the `finding` metric label.
    public var id: String
    /// How urgent it is.
    public var severity: FindingSeverity
    /// What it is about (`/system.slice`, `haproxy.service`, `node`); the `subject` metric label.
    public var subject: String
    /// One line that says what is wrong, with the numbers.
    public var title: String
    /// The observations that support it, one per line.
    public var evidence: [String]
    /// What to change, with the options.
    public var fix: String

    public init(id: String, severity: FindingSeverity, subject: String, title: String, evidence: [String], fix: String) {
        self.id = id
        self.severity = severity
        self.subject = subject
        self.title = title
        self.evidence = evidence
        self.fix = fix
    }

    /// Kinds of findings `NodeDiagnosis` produces.
    public enum Kind {
        /// The cgroup kubelet limits to `systemReserved` (or `system.slice`) is limited below its needs.
        public static let systemSliceLimitTooSmall = "SystemSliceLimitTooSmall"
        /// The cgroup kubelet limits to `kubeReserved` (or `kube.slice`) is limited below its needs.
        public static let kubeSliceLimitTooSmall = "KubeSliceLimitTooSmall"
        /// Another slice is limited below its needs.
        public static let sliceLimitTooSmall = "SliceLimitTooSmall"
        /// A slice's limit is not the reservation kubelet enforces on it.
        public static let sliceLimitDiffersFromReservation = "SliceLimitDiffersFromReservation"
        /// kubelet is configured to enforce a reservation but the cgroup has no limit.
        public static let reservationNotEnforced = "ReservationNotEnforced"
        /// A systemd unit was OOM-killed again and again.
        public static let repeatedUnitOOMKills = "RepeatedUnitOOMKills"
        /// BestEffort pods on a node under memory pressure.
        public static let bestEffortPodsUnderPressure = "BestEffortPodsUnderPressure"
        /// A slice's memsw limit keeps swap from relieving it while it is being OOM-killed.
        public static let sliceSwapBlocked = "SliceSwapBlocked"
        /// A limited slice has a large part of its memory in swap.
        public static let sliceSwapping = "SliceSwapping"
    }
}
