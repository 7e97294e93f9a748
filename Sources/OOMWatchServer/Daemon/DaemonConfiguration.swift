#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import OOMWatchAdapters
import OOMWatchCore

/// Everything the daemon reads and where: every root is injectable so tests and a DaemonSet with host
/// mounts under `/host` run the same code.
public struct DaemonConfiguration: Sendable {
    /// Root of the cgroup filesystem (`/sys/fs/cgroup`).
    public var cgroupRoot: String = "/sys/fs/cgroup"
    /// Root of procfs (`/proc`), for node capacity and the kubelet's command line.
    public var procRoot: String = "/proc"
    /// Where kernel messages are read from: the system journal, one journal directory, or the journals
    /// of an OS tree mounted elsewhere (a DaemonSet's `/host`).
    public var journal: JournalSource = .system
    /// Read live beside the journal (the fast path: kills seen in milliseconds, not after journald's
    /// notification delay), and the fallback when no journal can be opened.
    public var kmsgPath: String = "/dev/kmsg"
    /// Whether /dev/kmsg is read beside the journal.
    public var kmsgFastPath: Bool = true
    /// How far back the journal is replayed at start-up to rebuild recent events (current boot only).
    public var replayWindow: Duration = .seconds(24 * 3600)
    /// How far back a daemon that was stopped resumes: kills since its saved position are counted (none is
    /// lost across a restart or an outage), but not beyond this (a daemon stopped for months does not read
    /// and count months of kernel messages at once). Never less than the replay window in effect.
    public var catchUpLimit: Duration = .seconds(7 * 86_400)
    /// Only cgroups under this cgroup are sampled (e.g. a node nested in a container); "" = all.
    public var cgroupHierarchyPrefix: String = ""
    /// How many recent events `/events` keeps.
    public var eventCapacity: Int = 5_000
    /// Alert thresholds, for-durations and windows.
    public var alertThresholds = AlertThresholds()
    /// Retention of the cgroup history rings.
    public var history = HistoryStoreConfiguration()
    /// `/var/log/pods`: pod uid → namespace and name.
    public var podLogDirectory: String = "/var/log/pods"
    /// `/var/log/containers`: container id → container name.
    public var containerLogDirectory: String = "/var/log/containers"
    /// The kubelet's configuration file; nil: the running kubelet's `--config`, else
    /// `/var/lib/kubelet/config.yaml` (under the host root when `procRoot` is a mounted host's).
    public var kubeletConfigPath: String?
    /// Where the journal cursor is kept between restarts.
    public var stateDirectory: String = "/var/lib/oomwatch"
    /// The HTTP server's address, limits and timeouts.
    public var http = HTTPServerConfiguration()
    /// How often cgroups are sampled.
    public var pollInterval: Duration = .seconds(5)
    /// How often each pod and its containers are re-read (spread over the polls, like cAdvisor's 10–15 s
    /// housekeeping); nil = every poll. The command line defaults to 15 s.
    public var podPollInterval: Duration? = nil

    /// The pod refresh schedule these intervals give.
    public var workloadRefresh: WorkloadRefreshSchedule {
        podPollInterval.map { WorkloadRefreshSchedule(pollInterval: pollInterval, workloadInterval: $0) } ?? .everyPoll
    }
    /// The daemon's own `oom_score_adj` target, applied once at start (only ever lowered, never raised);
    /// nil leaves it alone (the default for a daemon embedded in another process, e.g. tests). The
    /// command line sets `OOMScoreAdjustment.defaultTarget` (−900) unless told otherwise.
    public var oomScoreAdjustTarget: Int? = nil
    /// How long the graceful shutdown may take before the remaining work is cancelled.
    public var shutdownGracePeriod: Duration = .seconds(2)
    /// When the daemon gives back the executable's start-up code pages (`ExecutableCodeTrimmer`); nil never
    /// (the default for a daemon embedded in another process, e.g. tests: it would trim the host binary).
    /// The command line sets `CodeTrimSchedule.standard`.
    public var codeTrim: CodeTrimSchedule? = nil

    /// The wall clock samples are stamped with; injectable so tests can step it.
    public var wallClock: @Sendable () -> Date = { Date() }

    public init() {}
}
