/// Lets every option of `oomwatch run` also come from an `OOMWATCH_*` environment variable, as a
/// DaemonSet sets them. The command line wins over the environment.
enum EnvironmentOptions {
    /// Option name → environment variable. Repeatable options take a comma-separated list.
    static let table: [(option: String, variable: String, repeatable: Bool)] = [
        ("--listen", "OOMWATCH_LISTEN", false),
        ("--cgroup-root", "OOMWATCH_CGROUP_ROOT", false),
        ("--proc-root", "OOMWATCH_PROC_ROOT", false),
        ("--journal-directory", "OOMWATCH_JOURNAL_DIRECTORY", false),
        ("--journal-root", "OOMWATCH_JOURNAL_ROOT", false),
        ("--kmsg-path", "OOMWATCH_KMSG_PATH", false),
        ("--kmsg-fast-path", "OOMWATCH_KMSG_FAST_PATH", false),
        ("--replay-window", "OOMWATCH_REPLAY_WINDOW", false),
        ("--catch-up-limit", "OOMWATCH_CATCH_UP_LIMIT", false),
        ("--cgroup-hierarchy-prefix", "OOMWATCH_CGROUP_HIERARCHY_PREFIX", false),
        ("--pod-log-dir", "OOMWATCH_POD_LOG_DIR", false),
        ("--container-log-dir", "OOMWATCH_CONTAINER_LOG_DIR", false),
        ("--kubelet-config", "OOMWATCH_KUBELET_CONFIG", false),
        ("--state-dir", "OOMWATCH_STATE_DIR", false),
        ("--poll-interval", "OOMWATCH_POLL_INTERVAL", false),
        ("--pod-poll-interval", "OOMWATCH_POD_POLL_INTERVAL", false),
        ("--read-timeout", "OOMWATCH_READ_TIMEOUT", false),
        ("--pressure-alert-for", "OOMWATCH_PRESSURE_ALERT_FOR", false),
        ("--pressure-warning", "OOMWATCH_PRESSURE_WARNING", false),
        ("--pressure-critical", "OOMWATCH_PRESSURE_CRITICAL", false),
        ("--psi-warning", "OOMWATCH_PSI_WARNING", false),
        ("--psi-critical", "OOMWATCH_PSI_CRITICAL", false),
        ("--kill-alert-warning", "OOMWATCH_KILL_ALERT_WARNING", false),
        ("--kill-alert-critical", "OOMWATCH_KILL_ALERT_CRITICAL", false),
        ("--kill-alert-window", "OOMWATCH_KILL_ALERT_WINDOW", false),
        ("--oom-score-adj", "OOMWATCH_OOM_SCORE_ADJ", false),
        ("--log-level", "OOMWATCH_LOG_LEVEL", false),
        ("--log-format", "OOMWATCH_LOG_FORMAT", false),
    ]

    static let otherSubcommands: Set<String> = ["parse", "diagnose", "events", "status", "help", "version"]

    static func merge(arguments: [String], environment: [String: String]) -> [String] {
        let first = arguments.first(where: { !$0.hasPrefix("-") })
        if let first, otherSubcommands.contains(first) { return arguments }
        if arguments.contains("--help") || arguments.contains("-h") || arguments.contains("--version") { return arguments }
        var merged = arguments
        for entry in table {
            guard let value = environment[entry.variable], !value.isEmpty else { continue }
            let given = arguments.contains { $0 == entry.option || $0.hasPrefix(entry.option + "=") }
            if given { continue }
            let values = entry.repeatable ? value.split(separator: ",").map(String.init) : [value]
            for item in values { merged += [entry.option, item] }
        }
        return merged
    }
}
