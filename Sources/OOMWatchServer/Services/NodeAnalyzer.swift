#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import OOMWatchAdapters
import OOMWatchCore
import Synchronization

/// After every poll: reads the kubelet's configuration (cached, re-read every minute), diagnoses the
/// node, evaluates the alert rules and records alert transitions as events. One owner of the alert
/// engine's state.
final class NodeAnalyzer: Sendable {
    struct Configuration: Sendable {
        var kubeletConfigPath: String?
        var procRoot: String
        var hierarchyPrefix: String
        var thresholds: AlertThresholds
        var diagnosisWindow: Duration = .seconds(3600)
        var kubeletReloadInterval: Duration = .seconds(60)
    }

    private struct State {
        var engine: AlertEngine
        var kubelet: KubeletConfiguration?
        var kubeletReadAt: ContinuousClock.Instant?
        var lastKubeletProblem: String?
    }

    private let configuration: Configuration
    private let node: NodeState
    private let metrics: AlertMetrics
    private let logger: Logger
    private let state: Mutex<State>

    init(configuration: Configuration, node: NodeState, metrics: AlertMetrics, logger: Logger) {
        self.configuration = configuration
        self.node = node
        self.metrics = metrics
        self.logger = logger
        state = Mutex(State(engine: AlertEngine(rules: AlertRuleSet(thresholds: configuration.thresholds))))
    }

    /// The wall clock was stepped by `seconds`: the alert engine's remembered times move with it.
    func clockStepped(bySeconds seconds: Double) {
        state.withLock { $0.engine.shift(bySeconds: seconds) }
    }

    /// Diagnoses the node and evaluates the alerts against `report`.
    func analyze(_ report: PollReport, now: Date = Date()) {
        let kubelet = kubeletConfiguration()
        let windowStart = now.addingTimeInterval(-Double(configuration.diagnosisWindow.components.seconds))
        // Kills back to whichever starts earlier, the diagnosis window or the kill alert's window; only
        // kill events, so alert transitions and kernel errors do not take up the query's limit.
        let killWindow = Double(configuration.thresholds.oomKillsWindow.components.seconds)
        let killsSince = min(windowStart, now.addingTimeInterval(-killWindow))
        let allKills = node.events(EventQuery(sinceMicros: Int64(killsSince.timeIntervalSince1970 * 1_000_000), limit: EventQuery.maximumLimit, kinds: [.oomKill]))
            .compactMap { event -> OOMKill? in if case .oomKill(let kill) = event.payload { kill } else { nil } }
        let kills = allKills.filter { Double($0.realtimeMicros ?? 0) / 1_000_000 >= windowStart.timeIntervalSince1970 }
        let reboots = node.events(EventQuery(sinceMicros: Int64(windowStart.timeIntervalSince1970 * 1_000_000), limit: EventQuery.maximumLimit, kinds: [.nodeReboot]))
        let windowSeconds = configuration.diagnosisWindow.components.seconds
        var peaks: [String: UInt64] = [:]
        for sampled in report.samples where sampled.cgroup.role == .slice || sampled.cgroup.role == .kubepods {
            if let history = node.history(cgroup: sampled.cgroup.path, windowSeconds: windowSeconds, nowSeconds: Int64(now.timeIntervalSince1970)) {
                peaks[sampled.cgroup.path] = history.points.map { $0.workingSetMaxBytes ?? $0.workingSetBytes }.max()
            }
        }
        let facts = NodeFactsBuilder.build(
            poll: report, kills: kills, kubelet: kubelet, hierarchyPrefix: configuration.hierarchyPrefix,
            window: windowStart...now, peakWorkingSet: peaks)
        let diagnosis = DiagnosisReport.diagnose(facts, at: now)
        node.setDiagnosis(diagnosis)

        let killOwners = NodeFactsBuilder.ownerKills(allKills, hierarchyPrefix: configuration.hierarchyPrefix, window: now.addingTimeInterval(-killWindow)...now)
        var observations = AlertObservation.slicePressure(facts.slices)
            + AlertObservation.slicePressureStall(facts.slices)
            + AlertObservation.oomKills(killOwners)
            + AlertObservation.sliceLimits(from: diagnosis.findings)
        let rebootWindow = Int64(now.timeIntervalSince1970 * 1_000_000) - 3_600_000_000
        for event in reboots where event.realtimeMicros >= rebootWindow {
            if case .nodeReboot(let reboot) = event.payload {
                observations.append(.unexpectedReboot(previousBootID: reboot.previousBootID))
            }
        }
        let (transitions, active, firing) = state.withLock { state in
            let transitions = state.engine.evaluate(observations: observations, now: now)
            return (transitions, state.engine.active, state.engine.firing)
        }
        for transition in transitions {
            node.record(.alert(transition))
            let alert = transition.alert
            let metadata: Logger.Metadata = [
                "alert": "\(alert.name.rawValue)", "subject": "\(alert.subject)", "severity": "\(alert.severity.rawValue)",
                "value": "\(alert.value)", "threshold": "\(alert.threshold)",
            ]
            switch transition.kind {
            case .resolved: logger.notice("alert resolved: \(alert.summary)", metadata: metadata)
            case .firing, .severityChanged: logger.warning("alert \(transition.kind.rawValue): \(alert.summary)", metadata: metadata)
            }
        }
        node.setActiveAlerts(active)
        metrics.update(firing: firing, findings: diagnosis.findings, allocatableBytes: diagnosis.allocatable?.allocatableBytes)
    }

    private func kubeletConfiguration() -> KubeletConfiguration? {
        let cached: KubeletConfiguration?? = state.withLock { state in
            if let readAt = state.kubeletReadAt, ContinuousClock.now - readAt < configuration.kubeletReloadInterval { return .some(state.kubelet) }
            return nil
        }
        if let cached { return cached }
        let hostRoot = configuration.procRoot.hasSuffix("/proc") ? String(configuration.procRoot.dropLast(5)) : ""
        let discovery = KubeletDiscovery(explicitConfigPath: configuration.kubeletConfigPath, procRoot: configuration.procRoot, hostRoot: hostRoot)
        var loaded: KubeletConfiguration?
        var problem: String?
        var path = configuration.kubeletConfigPath ?? "(not found)"
        do {
            let result = try discovery.discover()
            loaded = result.configuration
            path = result.configPath
            if !result.malformedFlags.isEmpty { problem = "unreadable kubelet flags: \(result.malformedFlags.joined(separator: " "))" }
        } catch {
            problem = "\(error)"
        }
        let (previous, changed) = state.withLock { state -> (String?, Bool) in
            let previous = state.lastKubeletProblem
            let changed = state.kubelet != loaded
            state.kubelet = loaded
            state.kubeletReadAt = ContinuousClock.now
            state.lastKubeletProblem = problem
            return (previous, changed)
        }
        if let problem, problem != previous {
            logger.warning("cannot read the kubelet configuration", metadata: ["problem": "\(problem)"])
        }
        if changed {
            logger.info("kubelet configuration", metadata: [
                "found": "\(loaded != nil)", "path": "\(path)",
                "enforce_node_allocatable": "\(loaded?.enforceNodeAllocatable.joined(separator: ",") ?? "")",
            ])
        }
        return loaded
    }
}
