import ArgumentParser
import Logging
import OOMWatchAdapters
import OOMWatchCore
import OOMWatchServer

/// `oomwatch run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: tail kernel OOM kills, sample cgroups, serve /metrics and /events."
    )

    @Option(help: ArgumentHelp("Address to serve HTTP on (host:port). [env: OOMWATCH_LISTEN]", valueName: "host:port"),
            transform: { try ListenAddress(parsing: $0) })
    var listen: ListenAddress = ListenAddress(host: "0.0.0.0", port: 9847)

    @Option(help: "Root of the cgroup filesystem. [env: OOMWATCH_CGROUP_ROOT]")
    var cgroupRoot: String = "/sys/fs/cgroup"

    @Option(help: "Root of procfs (node capacity, kubelet flags). [env: OOMWATCH_PROC_ROOT]")
    var procRoot: String = "/proc"

    @Option(help: "Journal directory to read instead of the system journal. [env: OOMWATCH_JOURNAL_DIRECTORY]")
    var journalDirectory: String?

    @Option(help: "Read the journals of the OS tree mounted here (its /var/log/journal and /run/log/journal), e.g. /host in a DaemonSet. [env: OOMWATCH_JOURNAL_ROOT]")
    var journalRoot: String?

    @Option(help: "Kernel ring buffer device, read when no journal can be opened. [env: OOMWATCH_KMSG_PATH]")
    var kmsgPath: String = "/dev/kmsg"

    @Option(help: "Read /dev/kmsg live beside the journal so kills are seen in milliseconds (true or false). [env: OOMWATCH_KMSG_FAST_PATH]")
    var kmsgFastPath: Bool = true

    @Option(help: ArgumentHelp("How far back the journal is replayed at start-up to rebuild recent events. [env: OOMWATCH_REPLAY_WINDOW]", valueName: "duration"),
            transform: { try Self.positiveDuration($0) })
    var replayWindow: Duration = .seconds(24 * 3600)

    @Option(help: ArgumentHelp("A daemon stopped longer than this resumes this far back, not at its saved position: kills before are not counted (at least the replay window). [env: OOMWATCH_CATCH_UP_LIMIT]", valueName: "duration"),
            transform: { try Self.positiveDuration($0) })
    var catchUpLimit: Duration = .seconds(7 * 86_400)

    @Option(help: "Sample only cgroups under this cgroup (a node nested in a container); default: the whole hierarchy. [env: OOMWATCH_CGROUP_HIERARCHY_PREFIX]")
    var cgroupHierarchyPrefix: String = ""

    @Option(help: "Kubelet pod log directory (pod uid → namespace/name). [env: OOMWATCH_POD_LOG_DIR]")
    var podLogDir: String = "/var/log/pods"

    @Option(help: "Kubelet container log directory (container id → name). [env: OOMWATCH_CONTAINER_LOG_DIR]")
    var containerLogDir: String = "/var/log/containers"

    @Option(help: "Kubelet configuration file (default: the running kubelet's --config, else /var/lib/kubelet/config.yaml). [env: OOMWATCH_KUBELET_CONFIG]")
    var kubeletConfig: String?

    @Option(help: "Directory for the journal cursor kept across restarts. [env: OOMWATCH_STATE_DIR]")
    var stateDir: String = "/var/lib/oomwatch"

    @Option(help: ArgumentHelp("How often cgroups are sampled, e.g. 500ms, 5s, 1m. [env: OOMWATCH_POLL_INTERVAL]", valueName: "duration"),
            transform: { try Self.positiveDuration($0) })
    var pollInterval: Duration = .seconds(5)

    @Option(help: ArgumentHelp("How often each pod and its containers are re-read (spread over the polls; at most as often as the poll interval). The node, kubepods, QoS tiers, slices and units are read every poll. [env: OOMWATCH_POD_POLL_INTERVAL]", valueName: "duration"),
            transform: { try Self.positiveDuration($0) })
    var podPollInterval: Duration = .seconds(15)

    @Option(help: ArgumentHelp("Deadline for a client to send a complete request or take a response. [env: OOMWATCH_READ_TIMEOUT]", valueName: "duration"),
            transform: { try Self.positiveDuration($0) })
    var readTimeout: Duration = .seconds(30)

    @Option(help: ArgumentHelp("How long a slice's working set must stay over its threshold before SliceMemoryPressure fires. [env: OOMWATCH_PRESSURE_ALERT_FOR]", valueName: "duration"),
            transform: { try DurationText.parse($0) })
    var pressureAlertFor: Duration = .seconds(60)

    @Option(help: ArgumentHelp("SliceMemoryPressure is a warning when a slice's working set reaches this share of its memory limit (default 90%). [env: OOMWATCH_PRESSURE_WARNING]", valueName: "percent"),
            transform: { try Self.percent($0) })
    var pressureWarning: Double = AlertThresholds().slicePressureWarning

    @Option(help: ArgumentHelp("SliceMemoryPressure is critical from this share of the limit (default 97%). [env: OOMWATCH_PRESSURE_CRITICAL]", valueName: "percent"),
            transform: { try Self.percent($0) })
    var pressureCritical: Double = AlertThresholds().slicePressureCritical

    @Option(help: ArgumentHelp("SliceMemoryPSI is a warning when a slice's memory pressure (PSI some avg10, cgroup v2) reaches this (default 10%). [env: OOMWATCH_PSI_WARNING]", valueName: "percent"),
            transform: { try Self.percent($0) })
    var psiWarning: Double = AlertThresholds().psiWarning

    @Option(help: ArgumentHelp("SliceMemoryPSI is critical from this memory pressure (default 40%). [env: OOMWATCH_PSI_CRITICAL]", valueName: "percent"),
            transform: { try Self.percent($0) })
    var psiCritical: Double = AlertThresholds().psiCritical

    @Option(help: ArgumentHelp("CgroupOOMKills is a warning when one owner (pod container, unit) is OOM-killed this many times within the kill window (default 1). [env: OOMWATCH_KILL_ALERT_WARNING]", valueName: "count"),
            transform: { try Self.killCount($0) })
    var killAlertWarning: Int = Int(AlertThresholds().oomKillsWarning)

    @Option(help: ArgumentHelp("CgroupOOMKills is critical from this many kills of one owner within the kill window (default 3). [env: OOMWATCH_KILL_ALERT_CRITICAL]", valueName: "count"),
            transform: { try Self.killCount($0) })
    var killAlertCritical: Int = Int(AlertThresholds().oomKillsCritical)

    @Option(help: ArgumentHelp("The window CgroupOOMKills counts kills in (default 15m). [env: OOMWATCH_KILL_ALERT_WINDOW]", valueName: "duration"),
            transform: { try Self.positiveDuration($0) })
    var killAlertWindow: Duration = AlertThresholds().oomKillsWindow

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The daemon's own oom_score_adj, set at start so a node OOM kills workloads first; only ever lowered (a lower inherited value is kept; 1000 leaves it alone). Lowering needs CAP_SYS_RESOURCE. [env: OOMWATCH_OOM_SCORE_ADJ]", valueName: "-1000...1000"),
            transform: { try Self.oomScoreAdj($0) })
    var oomScoreAdj: Int = OOMScoreAdjustment.defaultTarget

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. [env: OOMWATCH_LOG_LEVEL]")
    var logLevel: LogLevelOption = .info

    @Option(help: "Log format: text or json. [env: OOMWATCH_LOG_FORMAT]")
    var logFormat: LogFormatOption = .text

    static func positiveDuration(_ text: String) throws -> Duration {
        let duration = try DurationText.parse(text)
        guard duration > .zero else { throw ValidationError("duration must be positive: '\(text)'") }
        return duration
    }

    /// `90%` or `90` → 0.9; within (0, 100].
    static func percent(_ text: String) throws -> Double {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let value = Double(number), value > 0, value <= 100 else {
            throw ValidationError("expected a percentage above 0 and at most 100, such as 90%: '\(text)'")
        }
        return value / 100
    }

    static func killCount(_ text: String) throws -> Int {
        guard let value = Int(text), value >= 1 else { throw ValidationError("expected a count of at least 1: '\(text)'") }
        return value
    }

    static func oomScoreAdj(_ text: String) throws -> Int {
        guard let value = Int(text), OOMScoreAdjustment.range.contains(value) else {
            throw ValidationError("oom_score_adj must be an integer within -1000...1000: '\(text)'")
        }
        return value
    }

    func validate() throws {
        if journalDirectory != nil, journalRoot != nil {
            throw ValidationError("--journal-directory and --journal-root exclude each other")
        }
        // An alert resolves its margin (5 points) below its threshold: a lower threshold could never resolve.
        let defaults = AlertThresholds()
        for (option, value, margin) in [("--pressure-warning", pressureWarning, defaults.slicePressureMargin), ("--psi-warning", psiWarning, defaults.psiMargin)]
        where value <= margin {
            throw ValidationError("\(option) (\(MemoryText.percent(value))) must be above \(MemoryText.percent(margin)): alerts resolve that far below their threshold")
        }
        if pressureWarning >= pressureCritical {
            throw ValidationError("--pressure-warning (\(MemoryText.percent(pressureWarning))) must be below --pressure-critical (\(MemoryText.percent(pressureCritical)))")
        }
        if psiWarning >= psiCritical {
            throw ValidationError("--psi-warning (\(MemoryText.percent(psiWarning))) must be below --psi-critical (\(MemoryText.percent(psiCritical)))")
        }
        if killAlertWarning > killAlertCritical {
            throw ValidationError("--kill-alert-warning (\(killAlertWarning)) must not be above --kill-alert-critical (\(killAlertCritical))")
        }
    }

    var daemonConfiguration: DaemonConfiguration {
        var configuration = DaemonConfiguration()
        configuration.cgroupRoot = cgroupRoot
        configuration.procRoot = procRoot
        if let journalDirectory {
            configuration.journal = .directory(journalDirectory)
        } else if let journalRoot {
            configuration.journal = .osRoot(journalRoot)
        }
        configuration.kmsgPath = kmsgPath
        configuration.kmsgFastPath = kmsgFastPath
        configuration.replayWindow = replayWindow
        configuration.catchUpLimit = catchUpLimit
        configuration.cgroupHierarchyPrefix = cgroupHierarchyPrefix
        configuration.podLogDirectory = podLogDir
        configuration.containerLogDirectory = containerLogDir
        configuration.kubeletConfigPath = kubeletConfig
        configuration.stateDirectory = stateDir
        configuration.pollInterval = pollInterval
        configuration.podPollInterval = podPollInterval
        configuration.alertThresholds.slicePressureFor = pressureAlertFor
        configuration.alertThresholds.psiFor = pressureAlertFor
        configuration.alertThresholds.slicePressureWarning = pressureWarning
        configuration.alertThresholds.slicePressureCritical = pressureCritical
        configuration.alertThresholds.psiWarning = psiWarning
        configuration.alertThresholds.psiCritical = psiCritical
        configuration.alertThresholds.oomKillsWarning = Double(killAlertWarning)
        configuration.alertThresholds.oomKillsCritical = Double(killAlertCritical)
        configuration.alertThresholds.oomKillsWindow = killAlertWindow
        configuration.http.listen = listen
        configuration.http.readTimeout = readTimeout
        configuration.oomScoreAdjustTarget = oomScoreAdj
        configuration.codeTrim = .standard
        return configuration
    }

    func run() async throws {
        let logger = DaemonLogging.bootstrap(level: logLevel.level, format: logFormat)
        if !AllocatorTuning.apply() { logger.warning("glibc refused the malloc settings (mmap threshold, arenas); memory may grow with scrapes") }
        let daemon = OOMWatchDaemon(configuration: daemonConfiguration, logger: logger)
        do {
            try await daemon.run()
        } catch {
            logger.critical("oomwatch failed: \(error)")
            throw ExitCode.failure
        }
    }
}
