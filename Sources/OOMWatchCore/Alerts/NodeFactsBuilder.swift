#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds the `NodeFacts` a diagnosis and the alert rules read from what the daemon (or a one-shot
/// `oomwatch diagnose`) observed: the latest cgroup poll, the kills of a window and the kubelet's
/// configuration. Pure: the same inputs always give the same facts.
public enum NodeFactsBuilder {
    /// The slices a diagnosis looks at: kubelet's pods cgroup and the systemd slices it may cap.
    static let sliceRoles: Set<TrackedCgroupRole> = [.kubepods, .slice]

    /// - Parameters:
    ///   - poll: the latest poll (paths relative to the sampled hierarchy).
    ///   - kills: kills to consider (those inside `window` are counted).
    ///   - hierarchyPrefix: the cgroup the poll was rooted at ("" for the whole hierarchy); kernel paths
    ///     of kills carry it and are made relative the same way.
    ///   - peakWorkingSet: the highest working set seen per slice path (from the history), when known.
    public static func build(
        poll: PollReport?,
        kills: [OOMKill],
        kubelet: KubeletConfiguration?,
        hierarchyPrefix: String = "",
        window: ClosedRange<Date>,
        peakWorkingSet: [String: UInt64] = [:]
    ) -> NodeFacts {
        let node = poll?.node
        let capacity = Int64(clamping: node?.memTotalBytes ?? 0)
        var slices: [SliceFacts] = []
        var bestEffortPods = 0
        var nodeWorkingSet: UInt64 = 0
        for sampled in poll?.samples ?? [] {
            let sample = sampled.sample
            switch sampled.cgroup.role {
            case .node:
                nodeWorkingSet = sample.workingSetBytes
            case .pod:
                // Classifying thousands of pod paths each poll only to count these was a tenth of the
                // daemon's CPU at 1,000 pods.
                if CgroupPathClassifier.isBestEffortPodPath(sampled.cgroup.path) { bestEffortPods += 1 }
            case let role where sliceRoles.contains(role):
                slices.append(SliceFacts(
                    path: sampled.cgroup.path,
                    limitBytes: sample.limitBytes.map { Int64(clamping: $0) },
                    usageBytes: Int64(clamping: sample.usageBytes),
                    workingSetBytes: Int64(clamping: sample.workingSetBytes),
                    peakWorkingSetBytes: peakWorkingSet[sampled.cgroup.path].map { Int64(clamping: max($0, sample.workingSetBytes)) },
                    memswLimitBytes: sample.memswLimitBytes.map { Int64(clamping: $0) },
                    swapUsageBytes: sample.swapBytes.map { Int64(clamping: $0) },
                    pressureSomeAvg10: sample.pressure.map { $0.some.avg10 / 100 }))
            default:
                break
            }
        }
        let underPressure = (capacity > 0 && Double(nodeWorkingSet) / Double(capacity) >= 0.9)
            || slices.contains { slice in slice.limitBytes.map { $0 > 0 && Double(slice.workingSetBytes) / Double($0) >= 0.9 } ?? false }
        let swapTotal = Int64(clamping: node?.swapTotalBytes ?? 0)
        let swapUsed = swapTotal - Int64(clamping: node?.swapFreeBytes ?? node?.swapTotalBytes ?? 0)
        return NodeFacts(
            capacityBytes: capacity,
            kubelet: kubelet,
            slices: slices,
            kills: ownerKills(kills, hierarchyPrefix: hierarchyPrefix, window: window),
            killWindowSeconds: window.upperBound.timeIntervalSince(window.lowerBound),
            bestEffortPodCount: bestEffortPods,
            underMemoryPressure: underPressure,
            swap: SwapFacts(totalBytes: swapTotal, usedBytes: max(0, swapUsed)))
    }

    /// Kills inside `window` grouped by owner (and the cgroup whose limit was hit), most recent last.
    public static func ownerKills(_ kills: [OOMKill], hierarchyPrefix: String, window: ClosedRange<Date>) -> [OwnerKillFacts] {
        var grouped: [[String]: OwnerKillFacts] = [:]
        var order: [[String]] = []
        for kill in kills {
            let time = Date(timeIntervalSince1970: Double(kill.realtimeMicros ?? 0) / 1_000_000)
            guard window.contains(time) else { continue }
            let labels = OwnerLabels(kill.owner)
            let limit = kill.limitCgroup.map { relative($0, to: hierarchyPrefix) }
            let key = labels.values + [limit ?? ""]
            if var existing = grouped[key] {
                existing.count += 1
                existing.lastTime = max(existing.lastTime, time)
                grouped[key] = existing
            } else {
                order.append(key)
                grouped[key] = OwnerKillFacts(
                    ownerKind: KillOwnerKind(rawValue: labels.ownerKind) ?? .unknown,
                    slice: labels.slice,
                    unit: labels.unit.isEmpty ? nil : labels.unit,
                    namespace: labels.namespace.isEmpty ? nil : labels.namespace,
                    pod: labels.pod.isEmpty ? nil : labels.pod,
                    container: labels.container.isEmpty ? nil : labels.container,
                    qos: labels.qos.isEmpty ? nil : labels.qos,
                    limitCgroup: limit,
                    count: 1,
                    lastTime: time)
            }
        }
        return order.compactMap { grouped[$0] }
    }

    /// `path` without `prefix` ("/oomwatch-test/system.slice" → "/system.slice"); unchanged when outside it.
    public static func relative(_ path: String, to hierarchyPrefix: String) -> String {
        let prefix = CgroupPath.normalizedPrefix(hierarchyPrefix)
        guard !prefix.isEmpty else { return path }
        if path == prefix { return "/" }
        if path.hasPrefix(prefix + "/") { return String(path.dropFirst(prefix.count)) }
        return path
    }
}
