import OOMWatchAdapters
import OOMWatchCore

/// Names the pods and containers in cgroup owners from kubelet's log directories (no API credentials):
/// pod uid → namespace/name, container id → container name, remembering pods that have gone.
public struct PodNamer: Sendable {
    let resolver: PodDirectoryResolver

    public init(podLogDirectory: String, containerLogDirectory: String) {
        resolver = PodDirectoryResolver(configuration: PodDirectoryResolver.Configuration(
            podLogDirectory: podLogDirectory, containerLogDirectory: containerLogDirectory))
    }

    /// The owner with its pod's namespace and name and its container's name, when known. `urgent`:
    /// rescan kubelet's directories on a miss even when a rescan ran moments ago (see the resolver).
    public func name(_ owner: CgroupOwner, urgent: Bool = false) -> CgroupOwner {
        owner.named(
            pod: { uid in resolver.pod(uid: uid, urgent: urgent).map { ($0.identity.namespace, $0.identity.name) } },
            container: { id in resolver.container(id: id, urgent: urgent)?.name.containerName })
    }

    /// A kill with its victim's and limit's owners named. A kill is named once and for good, so its
    /// lookups are urgent: a pod created and killed right after the last rescan is still named.
    public func name(_ kill: OOMKill) -> OOMKill {
        var named = kill
        named.owner = name(kill.owner, urgent: true)
        named.limitOwner = kill.limitOwner.map { name($0, urgent: true) }
        return named
    }
}
