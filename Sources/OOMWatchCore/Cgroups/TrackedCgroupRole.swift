/// The structural role of a tracked cgroup in a node's tree (not its owner: pod UID and QoS
/// parsing belong to the cgroup path classifier).
public enum TrackedCgroupRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// The root of the hierarchy: the whole node.
    case node
    /// `kubepods` / `kubepods.slice`.
    case kubepods
    /// `kubepods/burstable`, `kubepods/besteffort` (and their systemd slices).
    case qosTier
    /// A pod cgroup.
    case pod
    /// A cgroup directly under a pod (a container, including the sandbox/pause container).
    case container
    /// A top-level slice: `system.slice`, `kube.slice`, `user.slice`.
    case slice
    /// A cgroup directly under `system.slice` or `kube.slice` (a service, scope or slice unit).
    case unit

    /// Which history retention class this role uses.
    public var retentionClass: HistoryRetentionClass {
        switch self {
        case .node, .kubepods, .qosTier, .slice: return .slice
        case .unit: return .unit
        case .pod: return .pod
        case .container: return .container
        }
    }
}

/// One cgroup the sampler tracks.
public struct TrackedCgroup: Sendable, Hashable, Codable {
    /// Path inside the hierarchy as the kernel names it ("/" for the root,
    /// "/kubepods/burstable/pod…/…"), relative to any hierarchy prefix.
    public var path: String
    /// Its structural role.
    public var role: TrackedCgroupRole

    public init(path: String, role: TrackedCgroupRole) {
        self.path = path
        self.role = role
    }
}
