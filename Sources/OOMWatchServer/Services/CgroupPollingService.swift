import Foundation
import Logging
import NIOPosix
import OOMWatchAdapters
import OOMWatchCore
import ServiceLifecycle

/// Samples every tracked cgroup each poll interval on a thread of its own (the reads block), feeds the
/// node state and the metrics, and keeps `/readyz` informed. A cgroup root that cannot be read yet is
/// retried with backoff; the daemon does not die.
struct CgroupPollingService: Service {
    let configuration: CgroupSamplerConfiguration
    let interval: Duration
    let state: NodeState
    let metrics: CgroupMetrics
    let readiness: Readiness
    let analyzer: NodeAnalyzer?
    let logger: Logger

    static let readinessPart = "cgroups"

    func run() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        readiness.set(Self.readinessPart, ready: false, detail: "first poll pending")
        await cancelWhenGracefulShutdown { await self.pollUntilCancelled(on: pool) }
        try? await pool.shutdownGracefully()
    }

    private func pollUntilCancelled(on pool: NIOThreadPool) async {
        var backoff: Duration = .seconds(1)
        var sampler: CgroupSampler?
        do {
            while !Task.isCancelled {
                if sampler == nil {
                    do {
                        let made = try CgroupSampler(configuration: configuration)
                        sampler = made
                        logger.info("sampling cgroups", metadata: [
                            "layout": "\(made.layout.kind)", "memory_root": "\(made.layout.memoryRoot)",
                            "driver": "\(made.detectDriver().map { "\($0)" } ?? "no kubepods")",
                        ])
                        backoff = .seconds(1)
                    } catch {
                        readiness.set(Self.readinessPart, ready: false, detail: "\(error); retrying in \(DurationText.format(backoff))")
                        logger.error("cannot read cgroups", metadata: ["error": "\(error)", "retry_in": "\(DurationText.format(backoff))"])
                        try await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, .seconds(60))
                        continue
                    }
                }
                guard let current = sampler else { continue }
                let started = ContinuousClock.now
                let report: PollReport
                do {
                    report = try await pool.runIfActive { current.poll() }
                } catch {
                    return
                }
                let now = Int64(Date().timeIntervalSince1970)
                state.ingest(report, atSeconds: now)
                metrics.update(report, nowSeconds: now)
                analyzer?.analyze(report)
                for warning in report.warnings {
                    logger.warning("cgroup file unreadable", metadata: [
                        "path": "\(warning.filePath)", "problem": "\(warning.problem)", "suppressed_before": "\(warning.suppressedBefore)",
                    ])
                }
                if report.samples.isEmpty {
                    readiness.set(Self.readinessPart, ready: false, detail: "no cgroup could be sampled under \(configuration.cgroupRoot)")
                } else {
                    readiness.set(Self.readinessPart, ready: true, detail: "\(report.samples.count) cgroups sampled")
                }
                let elapsed = ContinuousClock.now - started
                try await Task.sleep(for: max(interval - elapsed, .milliseconds(10)))
            }
        } catch {
            // Cancelled: shutting down.
        }
    }
}
