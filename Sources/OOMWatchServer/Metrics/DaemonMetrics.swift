import Logging
import OOMWatchAdapters
import Prometheus
import Synchronization

/// The daemon's Prometheus registry and the metrics about the daemon itself (build, process, HTTP).
/// Feature metrics (kills, cgroups, alerts) register on the same `registry`.
public final class DaemonMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let processReader: SelfProcessReader
    private let processCPU: CounterSync
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let startTime: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let threads: Gauge
    private let logger: Logger
    /// Families rendered outside the registry (the per-cgroup series), appended after it.
    private let collectors = Mutex<[@Sendable (inout [UInt8]) -> Void]>([])
    /// Size of the last page, to reserve the next one in one allocation (no doubling copies of megabytes).
    private let lastSize = Atomic<Int>(0)

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), processReader: SelfProcessReader = SelfProcessReader(), logger: Logger) {
        self.registry = registry
        self.processReader = processReader
        self.logger = logger
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "oomwatch", metricName: "build", unitName: "info", helpText: "Build information of the running oomwatch; always 1."),
            labels: [("version", BuildInfo.version), ("swift_version", BuildInfo.swiftVersion)]
        ).set(to: 1.0)
        processCPU = CounterSync(registry.makeCounter(descriptor: MetricNameDescriptor(
            metricName: "process_cpu", unitName: "seconds_total", helpText: "Total user and system CPU time spent in seconds.")))
        residentMemory = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process_resident_memory", unitName: "bytes", helpText: "Resident memory size in bytes."))
        virtualMemory = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process_virtual_memory", unitName: "bytes", helpText: "Virtual memory size in bytes."))
        startTime = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process_start_time", unitName: "seconds", helpText: "Start time of the process since unix epoch in seconds."))
        openFDs = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process_open", unitName: "fds", helpText: "Number of open file descriptors."))
        maxFDs = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process_max", unitName: "fds", helpText: "Maximum number of open file descriptors."))
        threads = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process", unitName: "threads", helpText: "Number of OS threads in the process."))
    }

    /// Refreshes the process metrics and renders the whole registry, then every added collector, in the
    /// text exposition format.
    public func exposition() -> [UInt8] {
        refreshProcessMetrics()
        var buffer: [UInt8] = []
        let expected = lastSize.load(ordering: .relaxed)
        buffer.reserveCapacity(expected + expected / 8 + 4096)
        registry.emit(into: &buffer)
        for collector in collectors.withLock({ $0 }) { collector(&buffer) }
        lastSize.store(buffer.count, ordering: .relaxed)
        return buffer
    }

    /// Adds families rendered by `render` (names must not clash with the registry's).
    func addCollector(_ render: @escaping @Sendable (inout [UInt8]) -> Void) {
        collectors.withLock { $0.append(render) }
    }

    private func refreshProcessMetrics() {
        do {
            let snapshot = try processReader.snapshot()
            processCPU.set(snapshot.cpuSeconds)
            residentMemory.set(Double(snapshot.residentMemoryBytes))
            virtualMemory.set(Double(snapshot.virtualMemoryBytes))
            startTime.set(snapshot.startTimeSeconds)
            openFDs.set(Double(snapshot.openFileDescriptors))
            if let max = snapshot.maxFileDescriptors { maxFDs.set(Double(max)) }
            threads.set(Double(snapshot.threads))
        } catch {
            logger.warning("cannot read own process figures", metadata: ["error": "\(error)"])
        }
    }
}
