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

    /// The owner with its pod's namespace and name and its container's name, when known.
    public func name(_ owner: CgroupOwner) -> CgroupOwner {
        owner.named(
            pod: { uid in resolver.pod(uid: uid).map { ($0.identity.namespace, $0.identity.name) } },
            container: { id in resolver.container(id: id)?.name.containerName })
    }

    /// A kill with its victim's and limit's owners named.
    public func name(_ kill: OOMKill) -> OOMKill {
        var named = kill
        named.owner = name(kill.owner)
        named.limitOwner = kill.limitOwner.map(name)
        return named
    }
}
