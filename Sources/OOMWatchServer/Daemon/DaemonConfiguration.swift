import Logging
import OOMWatchCore

/// Everything the daemon reads and where: every root is injectable so tests and a DaemonSet with host
/// mounts under `/host` run the same code.
public struct DaemonConfiguration: Sendable {
    /// Root of the cgroup filesystem (`/sys/fs/cgroup`).
    public var cgroupRoot: String = "/sys/fs/cgroup"
    /// Root of procfs (`/proc`), for node capacity and the kubelet's command line.
    public var procRoot: String = "/proc"
    /// Journal directories to read; empty means the system journal.
    public var journalDirectories: [String] = []
    /// `/var/log/pods`: pod uid → namespace and name.
    public var podLogDirectory: String = "/var/log/pods"
    /// `/var/log/containers`: container id → container name.
    public var containerLogDirectory: String = "/var/log/containers"
    /// The kubelet's configuration file.
    public var kubeletConfigPath: String = "/var/lib/kubelet/config.yaml"
    /// Where the journal cursor is kept between restarts.
    public var stateDirectory: String = "/var/lib/oomwatch"
    /// The HTTP server's address, limits and timeouts.
    public var http = HTTPServerConfiguration()
    /// How often cgroups are sampled.
    public var pollInterval: Duration = .seconds(5)
    /// How long the graceful shutdown may take before the remaining work is cancelled.
    public var shutdownGracePeriod: Duration = .seconds(2)

    public init() {}
}
