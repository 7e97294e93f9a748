import OOMWatchCore

/// Lists the cgroups oomwatch tracks, with their structural roles, for both kubelet drivers:
/// the root (node); `kubepods` or `kubepods.slice`; its QoS tiers; every pod (guaranteed pods
/// directly under kubepods, the others under their tier); every directory under a pod
/// (containers); `system.slice`, `kube.slice`, `user.slice` when present; and every directory
/// directly under `system.slice` and `kube.slice` (units). Paths are relative to
/// `memoryRoot + hierarchyPrefix`, spelled as the kernel names cgroups ("/kubepods/…").
public struct CgroupTreeWalker: Sendable {
    /// The hierarchy whose memory controller tree is walked.
    public let layout: CgroupLayout
    /// A subtree acting as the root (e.g. `/oomwatch-test-123` in tests); "" for the real root.
    public let hierarchyPrefix: String

    /// Creates a walker over `layout`, optionally rooted at `hierarchyPrefix` inside it.
    public init(layout: CgroupLayout, hierarchyPrefix: String = "") {
        self.layout = layout
        self.hierarchyPrefix = CgroupPath.normalizedPrefix(hierarchyPrefix)
    }

    /// The directory the walk starts from.
    public var baseDirectory: String { layout.memoryRoot + hierarchyPrefix }

    /// Lists the tracked cgroups present now. Directories that vanish during the walk are skipped.
    /// Without `includingContainers`, pod directories are not listed (see `containers(ofPod:)`): the
    /// sampler lists a pod's containers only in the polls that re-read that pod.
    public func walk(includingContainers: Bool = true) -> [TrackedCgroup] {
        let base = baseDirectory
        var result: [TrackedCgroup] = [TrackedCgroup(path: "/", role: .node)]
        let top = Set(DirectoryLister.subdirectories(of: base))

        if top.contains("kubepods") { walkCgroupfs(base: base, containers: includingContainers, into: &result) }
        if top.contains("kubepods.slice") { walkSystemd(base: base, containers: includingContainers, into: &result) }

        for slice in ["system.slice", "kube.slice", "user.slice"] where top.contains(slice) {
            let slicePath = "/" + slice
            result.append(TrackedCgroup(path: slicePath, role: .slice))
            guard slice != "user.slice" else { continue }
            for unit in DirectoryLister.subdirectories(of: base + slicePath) {
                result.append(TrackedCgroup(path: slicePath + "/" + unit, role: .unit))
            }
        }
        return result
    }

    private func walkCgroupfs(base: String, containers: Bool, into result: inout [TrackedCgroup]) {
        let kubepods = "/kubepods"
        result.append(TrackedCgroup(path: kubepods, role: .kubepods))
        let children = DirectoryLister.subdirectories(of: base + kubepods)
        for tier in ["burstable", "besteffort"] where children.contains(tier) {
            result.append(TrackedCgroup(path: kubepods + "/" + tier, role: .qosTier))
        }
        for child in children where child.hasPrefix("pod") {
            addPod(kubepods + "/" + child, containers: containers, into: &result)
        }
        for tier in ["burstable", "besteffort"] where children.contains(tier) {
            let tierPath = kubepods + "/" + tier
            for child in DirectoryLister.subdirectories(of: base + tierPath) where child.hasPrefix("pod") {
                addPod(tierPath + "/" + child, containers: containers, into: &result)
            }
        }
    }

    private func walkSystemd(base: String, containers: Bool, into result: inout [TrackedCgroup]) {
        let kubepods = "/kubepods.slice"
        result.append(TrackedCgroup(path: kubepods, role: .kubepods))
        let children = DirectoryLister.subdirectories(of: base + kubepods)
        let tiers = ["kubepods-burstable.slice", "kubepods-besteffort.slice"].filter { children.contains($0) }
        for tier in tiers {
            result.append(TrackedCgroup(path: kubepods + "/" + tier, role: .qosTier))
        }
        for child in children where child.hasPrefix("kubepods-pod") && child.hasSuffix(".slice") {
            addPod(kubepods + "/" + child, containers: containers, into: &result)
        }
        for tier in tiers {
            let tierPath = kubepods + "/" + tier
            let podPrefix = String(tier.dropLast(".slice".count)) + "-pod"
            for child in DirectoryLister.subdirectories(of: base + tierPath)
            where child.hasPrefix(podPrefix) && child.hasSuffix(".slice") {
                addPod(tierPath + "/" + child, containers: containers, into: &result)
            }
        }
    }

    private func addPod(_ podPath: String, containers: Bool, into result: inout [TrackedCgroup]) {
        result.append(TrackedCgroup(path: podPath, role: .pod))
        if containers { result += self.containers(ofPod: podPath) }
    }

    /// The containers (every directory) of the pod at `podPath`; empty if the pod is gone.
    public func containers(ofPod podPath: String) -> [TrackedCgroup] {
        DirectoryLister.subdirectories(of: baseDirectory + podPath).map {
            TrackedCgroup(path: podPath + "/" + $0, role: .container)
        }
    }
}
