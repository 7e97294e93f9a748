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
    private let logger: Logger

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = DaemonMetrics(processReader: SelfProcessReader(procRoot: configuration.procRoot), logger: logger)
        self.readiness = Readiness()
        self.server = HTTPServer(
            configuration: configuration.http,
            router: Routes.make(metrics: metrics, readiness: readiness),
            logger: logger
        )
    }

    /// Runs until a shutdown signal (or `signals: []` and task cancellation in tests).
    public func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "http"),
                .init(
                    service: SystemdIntegrationService(notifier: SystemdNotifier(), server: server, logger: logger),
                    successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "systemd-notify"),
            ],
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
        ])
        try await group.run()
        logger.info("oomwatch stopped")
    }
}
