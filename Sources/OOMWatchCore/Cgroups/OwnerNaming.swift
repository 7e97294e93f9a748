extension CgroupOwner {
    /// The owner with the names of its pod and container filled in from `lookup` (pod uid →
    /// namespace and name; container id → container name). Owners other than pods are returned as they are.
    public func named(
        pod lookupPod: (String) -> (namespace: String, name: String)?,
        container lookupContainer: (String) -> String?
    ) -> CgroupOwner {
        guard case .pod(var ref) = self else { return self }
        if ref.podName == nil, let pod = lookupPod(ref.podUID) {
            ref.namespace = pod.namespace
            ref.podName = pod.name
        }
        if ref.containerName == nil, let id = ref.containerID, let name = lookupContainer(id) {
            ref.containerName = name
        }
        return .pod(ref)
    }
}
