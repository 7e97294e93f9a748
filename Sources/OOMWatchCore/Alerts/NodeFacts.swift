#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything `NodeDiagnosis` looks at, gathered by the daemon from cgroups, the kill history
/// and the kubelet configuration. Plain data, so diagnoses are deterministic and testable.
public struct NodeFacts: Sendable, Hashable, Codable {
    /// Node memory capacity (MemTotal), bytes.
    public var capacityBytes: Int64
    /// The kubelet configuration, nil when there is no kubelet on this host or it was not found.
    public var kubelet: KubeletConfiguration?
    /// The slices and tiers of interest (`/system.slice`, `/kube.slice`, `/kubepods`, …).
    public var slices: [SliceFacts]
    /// OOM kills per owner within `killWindowSeconds`.
    public var kills: [OwnerKillFacts]
    /// The window the kill counts cover, seconds.
    public var killWindowSeconds: Double
    /// How many BestEffort pods (no memory requests or limits) run on the node.
    public var bestEffortPodCount: Int
    /// True when the node is under memory pressure (eviction signal crossed, kubepods near its limit, PSI high).
    public var underMemoryPressure: Bool
    /// Node swap.
    public var swap: SwapFacts

    public init(
        capacityBytes: Int64,
        kubelet: KubeletConfiguration? = nil,
        slices: [SliceFacts] = [],
        kills: [OwnerKillFacts] = [],
        killWindowSeconds: Double = 3600,
        bestEffortPodCount: Int = 0,
        underMemoryPressure: Bool = false,
        swap: SwapFacts = SwapFacts()
    ) {
        self.capacityBytes = capacityBytes
        self.kubelet = kubelet
        self.slices = slices
        self.kills = kills
        self.killWindowSeconds = killWindowSeconds
        self.bestEffortPodCount = bestEffortPodCount
        self.underMemoryPressure = underMemoryPressure
        self.swap = swap
    }
}

/// The memory state of one slice or tier.
public struct SliceFacts: Sendable, Hashable, Codable {
    /// The cgroup path relative to the hierarchy root, e.g. `/system.slice`.
    public var path: String
    /// The memory limit (v1 `memory.limit_in_bytes`, v2 `memory.max`), nil when unlimited.
    public var limitBytes: Int64?
    /// Current usage, bytes.
    public var usageBytes: Int64
    /// Current working set (usage − inactive_file), bytes.
    public var workingSetBytes: Int64
    /// The highest working set observed recently (or v2 `memory.peak`), when known.
    public var peakWorkingSetBytes: Int64?
    /// v1 `memory.memsw.limit_in_bytes` (memory + swap), nil when unlimited or not available.
    public var memswLimitBytes: Int64?
    /// Swap used by the cgroup, bytes, when known.
    public var swapUsageBytes: Int64?
    /// v2 PSI `some avg10` as a ratio 0–1, when known.
    public var pressureSomeAvg10: Double?

    public init(
        path: String,
        limitBytes: Int64? = nil,
        usageBytes: Int64 = 0,
        workingSetBytes: Int64 = 0,
        peakWorkingSetBytes: Int64? = nil,
        memswLimitBytes: Int64? = nil,
        swapUsageBytes: Int64? = nil,
        pressureSomeAvg10: Double? = nil
    ) {
        self.path = KubeletConfiguration.normalizedCgroup(path)
        self.limitBytes = limitBytes
        self.usageBytes = usageBytes
        self.workingSetBytes = workingSetBytes
        self.peakWorkingSetBytes = peakWorkingSetBytes
        self.memswLimitBytes = memswLimitBytes
        self.swapUsageBytes = swapUsageBytes
        self.pressureSomeAvg10 = pressureSomeAvg10
    }

    /// The last path component (`system.slice`).
    public var name: String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// What kind of owner a killed task belonged to (the `owner_kind` metric label).
public enum KillOwnerKind: String, Sendable, Hashable, Codable, CaseIterable {
    case pod, unit, slice, kubepods, root, unknown
}

/// OOM kills of one owner within the facts' window.
public struct OwnerKillFacts: Sendable, Hashable, Codable {
    /// What the owner is.
    public var ownerKind: KillOwnerKind
    /// The top slice or tier (`system.slice`, `kubepods`), empty when none.
    public var slice: String
    /// The systemd unit (`haproxy.service`), for unit owners.
    public var unit: String?
    /// The pod's namespace, for pod owners.
    public var namespace: String?
    /// The pod's name (or UID when unresolved), for pod owners.
    public var pod: String?
    /// The container's name, for pod owners.
    public var container: String?
    /// The pod's QoS class (`guaranteed`, `burstable`, `besteffort`), for pod owners.
    public var qos: String?
    /// The cgroup whose limit was hit (`oom_memcg`, e.g. `/system.slice`), nil for a global OOM or when unknown.
    public var limitCgroup: String?
    /// How many kills.
    public var count: Int
    /// When the last one happened.
    public var lastTime: Date

    public init(
        ownerKind: KillOwnerKind,
        slice: String,
        unit: String? = nil,
        namespace: String? = nil,
        pod: String? = nil,
        container: String? = nil,
        qos: String? = nil,
        limitCgroup: String? = nil,
        count: Int,
        lastTime: Date
    ) {
        self.ownerKind = ownerKind
        self.slice = slice
        self.unit = unit
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.qos = qos
        self.limitCgroup = limitCgroup
        self.count = count
        self.lastTime = lastTime
    }

    /// The owner labels of these kills' series (and of their alert).
    public var labels: OwnerLabels {
        OwnerLabels(ownerKind: ownerKind.rawValue, slice: slice, namespace: namespace ?? "", pod: pod ?? "",
                    container: container ?? "", qos: qos ?? "", unit: unit ?? "")
    }

    /// A short name for the owner: the unit, `namespace/pod[/container]`, the slice, or the kind.
    public var displayName: String {
        if let unit, !unit.isEmpty { return unit }
        if let pod, !pod.isEmpty {
            var name = (namespace.map { $0 + "/" } ?? "") + pod
            if let container, !container.isEmpty { name += "/" + container }
            return name
        }
        if !slice.isEmpty { return slice }
        return ownerKind.rawValue
    }
}

/// Node swap, from /proc/meminfo.
public struct SwapFacts: Sendable, Hashable, Codable {
    /// SwapTotal, bytes.
    public var totalBytes: Int64
    /// SwapTotal − SwapFree, bytes.
    public var usedBytes: Int64

    public init(totalBytes: Int64 = 0, usedBytes: Int64 = 0) {
        self.totalBytes = totalBytes
        self.usedBytes = usedBytes
    }
}
