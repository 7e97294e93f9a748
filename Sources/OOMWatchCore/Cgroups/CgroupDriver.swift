/// The kubelet/runtime cgroup driver, which decides how pod cgroups are named.
public enum CgroupDriver: String, Sendable, Hashable, Codable {
    /// `/kubepods/burstable/pod<uid>/<containerID>`.
    case cgroupfs
    /// `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/cri-containerd-<id>.scope`.
    case systemd
}
