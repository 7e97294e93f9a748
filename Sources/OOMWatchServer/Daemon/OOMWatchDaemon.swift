#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix
import OOMWatchAdapters
import OOMWatchCore
import ServiceLifecycle
import UnixSignals

/// The daemon: its services run in one `ServiceGroup`. SIGTERM and SIGINT shut it down gracefully;
/// a service that fails takes the whole group down and `run()` throws.
public final class OOMWatchDaemon: Sendable {
    public let configuration: DaemonConfiguration
    public let metrics: DaemonMetrics
    public let readiness: Readiness
    public let server: HTTPServer
    public let node: NodeState
    /// The daemon's routes (what the HTTP server answers with); the HTTP fuzz target drives it directly.
    public let router: Router
    private let killMetrics: KillMetrics
    private let cgroupMetrics: CgroupMetrics
    private let sourceMetrics: KernelSourceMetrics
    private let namer: PodNamer
    private let analyzer: NodeAnalyzer
    private let logger: Logger

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        // The daemon's own figures come from its own /proc/self, whatever host /proc `procRoot` names.
        self.metrics = DaemonMetrics(processReader: SelfProcessReader(), logger: logger)
        self.readiness = Readiness()
        var history = configuration.history
        history.sampleIntervalSeconds = max(1, Int(configuration.pollInterval.components.seconds))
        history.workloadSampleIntervalSeconds = history.sampleIntervalSeconds * configuration.workloadRefresh.everyPolls
        self.node = NodeState(eventCapacity: configuration.eventCapacity, history: history, nowSeconds: Int64(Date().timeIntervalSince1970))
        self.killMetrics = KillMetrics(registry: metrics.registry)
        let grace = max(60, 3 * configuration.pollInterval.components.seconds)
        self.namer = PodNamer(podLogDirectory: configuration.podLogDirectory, containerLogDirectory: configuration.containerLogDirectory)
        let cgroupMetrics = CgroupMetrics(registry: metrics.registry, graceSeconds: grace, namer: namer)
        self.cgroupMetrics = cgroupMetrics
        metrics.addCollector { cgroupMetrics.render(into: &$0) }
        self.analyzer = NodeAnalyzer(
            configuration: NodeAnalyzer.Configuration(
                kubeletConfigPath: configuration.kubeletConfigPath, procRoot: configuration.procRoot,
                hierarchyPrefix: configuration.cgroupHierarchyPrefix, thresholds: configuration.alertThresholds),
            node: node, metrics: AlertMetrics(registry: metrics.registry), logger: logger)
        self.sourceMetrics = KernelSourceMetrics(registry: metrics.registry)
        self.router = Routes.make(Routes.Context(metrics: metrics, readiness: readiness, node: node))
        self.server = HTTPServer(
            configuration: configuration.http,
            router: router,
            logger: logger
        )
    }

    /// Runs until a shutdown signal (or `signals: []` and task cancellation in tests).
    public func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        protectFromOOMKiller()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "http"),
            .init(
                service: CgroupPollingService(
                    configuration: CgroupSamplerConfiguration(
                        cgroupRoot: configuration.cgroupRoot, procRoot: configuration.procRoot,
                        hierarchyPrefix: configuration.cgroupHierarchyPrefix, workloadRefresh: configuration.workloadRefresh),
                    interval: configuration.pollInterval, state: node, metrics: cgroupMetrics, readiness: readiness, analyzer: analyzer, logger: logger,
                    wallClock: configuration.wallClock),
                successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "cgroups"),
            .init(
                service: KernelEventService(
                    journal: configuration.journal, kmsgPath: configuration.kmsgPath,
                    stateDirectory: configuration.stateDirectory, kmsgFastPath: configuration.kmsgFastPath, replayWindow: configuration.replayWindow,
                    catchUpLimit: configuration.catchUpLimit, node: node,
                    killMetrics: killMetrics, sourceMetrics: sourceMetrics, namer: namer, readiness: readiness, logger: logger,
                    hierarchyPrefix: configuration.cgroupHierarchyPrefix),
                successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "kernel-log"),
            .init(
                service: SystemdIntegrationService(notifier: SystemdNotifier(), server: server, logger: logger),
                successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "systemd-notify"),
        ]
        if let schedule = configuration.codeTrim {
            services.append(.init(
                service: CodeTrimService(schedule: schedule, trimmer: ExecutableCodeTrimmer(), readiness: readiness, logger: logger),
                successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "code-trim"))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: signals,
            cancellationSignals: [],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        let group = ServiceGroup(configuration: groupConfiguration)
        logger.info("oomwatch starting", metadata: [
            "version": "\(BuildInfo.version)",
            "listen": "\(configuration.http.listen)",
            "cgroup_root": "\(configuration.cgroupRoot)",
            "poll_interval": "\(DurationText.format(configuration.pollInterval))",
            "pod_poll_every_polls": "\(configuration.workloadRefresh.everyPolls)",
        ])
        try await group.run()
        logger.info("oomwatch stopped")
    }

    /// Lowers the process's `oom_score_adj` to the configured target before any service starts, so a
    /// node-wide OOM takes workloads before the monitor that reports it. Refusal is a warning, not fatal.
    private func protectFromOOMKiller() {
        guard let target = configuration.oomScoreAdjustTarget else { return }
        // Always this process's own procfs: `--proc-root` may be the host's (read-only) /proc.
        let outcome = OOMScoreAdjuster().apply(target: target)
        switch outcome {
        case .lowered, .kept:
            logger.info("\(outcome)", metadata: ["oom_score_adj_target": "\(target)"])
        case .refused:
            logger.warning("\(outcome)", metadata: ["oom_score_adj_target": "\(target)"])
        }
    }
}
