#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns `NodeFacts` into `Finding`s: slices limited below their needs (and why: kubelet's
/// enforceNodeAllocatable or something else), limits that disagree with kubelet's reservations,
/// repeated OOM kills of units, BestEffort pods under pressure, and swap limits that matter.
public enum NodeDiagnosis {
    /// The findings for `facts`, most severe first (ties keep the order above: slice limits first).
    public static func findings(for facts: NodeFacts, thresholds: DiagnosisThresholds = DiagnosisThresholds()) -> [Finding] {
        var results: [Finding] = []
        for slice in facts.slices where !isPodTier(slice.path) {
            if let finding = sliceLimitFinding(slice, facts: facts, thresholds: thresholds) {
                results.append(finding)
            }
        }
        results.append(contentsOf: reservationFindings(facts, thresholds: thresholds))
        results.append(contentsOf: unitKillFindings(facts, thresholds: thresholds))
        if let finding = bestEffortFinding(facts) { results.append(finding) }
        results.append(contentsOf: swapFindings(facts, thresholds: thresholds))
        return results.enumerated()
            .sorted { lhs, rhs in
                lhs.element.severity != rhs.element.severity ? lhs.element.severity > rhs.element.severity : lhs.offset < rhs.offset
            }
            .map(\.element)
    }

    // MARK: - Slice limits

    private static func sliceLimitFinding(_ slice: SliceFacts, facts: NodeFacts, thresholds: DiagnosisThresholds) -> Finding? {
        guard let limit = slice.limitBytes, limit > 0, facts.capacityBytes > 0 else { return nil }
        let enforced = facts.kubelet?.enforcedMemoryLimit(onCgroup: slice.path)
        let kills = killsAttributed(to: slice, in: facts)
        let killCount = kills.reduce(0) { $0 + $1.count }
        let observed = max(slice.workingSetBytes, slice.peakWorkingSetBytes ?? 0)
        let usedFraction = Double(observed) / Double(limit)
        let capacityFraction = Double(limit) / Double(facts.capacityBytes)
        let tiny = capacityFraction < thresholds.smallLimitFraction

        let severity: FindingSeverity
        if killCount > 0 || usedFraction >= thresholds.nearLimitCritical {
            severity = .critical
        } else if usedFraction >= thresholds.nearLimitWarning || (tiny && enforced != nil) {
            severity = .warning
        } else {
            return nil
        }

        let id: String
        switch enforced?.setting {
        case .systemReserved: id = Finding.Kind.systemSliceLimitTooSmall
        case .kubeReserved: id = Finding.Kind.kubeSliceLimitTooSmall
        case nil:
            switch slice.path {
            case "/system.slice": id = Finding.Kind.systemSliceLimitTooSmall
            case "/kube.slice": id = Finding.Kind.kubeSliceLimitTooSmall
            default: id = Finding.Kind.sliceLimitTooSmall
            }
        }

        var title = "\(slice.name) is capped at \(MemoryText.bytes(limit)) (\(MemoryText.percent(capacityFraction)) of \(MemoryText.bytes(facts.capacityBytes)) node memory) by "
        if let enforced, let kubelet = facts.kubelet {
            title += "kubelet's enforceNodeAllocatable [\(kubelet.enforceNodeAllocatable.joined(separator: ", "))] with \(enforced.setting.cgroupSettingName)=\(slice.path)"
        } else if let kubelet = facts.kubelet {
            title += "a limit kubelet does not set (enforceNodeAllocatable [\(kubelet.enforceNodeAllocatable.joined(separator: ", "))])"
        } else {
            title += "a cgroup memory limit (no kubelet configuration found)"
        }
        if killCount > 0 {
            title += "; killed in it: " + kills.map { "\($0.name) ×\($0.count)" }.joined(separator: ", ")
        } else {
            title += "; working set at \(MemoryText.percent(usedFraction)) of the limit"
        }

        var evidence: [String] = []
        if let kubelet = facts.kubelet {
            evidence.append(kubeletEvidence(kubelet))
        }
        var limitLine = "\(slice.path) memory limit: \(MemoryText.bytes(limit)) (\(limit) bytes)"
        if let enforced {
            if let reserved = enforced.bytes {
                let equal = abs(reserved - limit) <= thresholds.reservationToleranceBytes
                limitLine += equal
                    ? " = kubelet's \(enforced.setting.settingName) memory"
                    : ", kubelet's \(enforced.setting.settingName) memory is \(MemoryText.bytes(reserved))"
            }
        }
        evidence.append(limitLine)
        var nodeLine = "node memory capacity: \(MemoryText.bytes(facts.capacityBytes))"
        if let kubelet = facts.kubelet {
            let allocatable = Allocatable.compute(capacity: facts.capacityBytes, config: kubelet)
            nodeLine += ", Allocatable \(MemoryText.bytes(allocatable.allocatableBytes)) (kubeReserved \(MemoryText.bytes(allocatable.kubeReservedBytes)), systemReserved \(MemoryText.bytes(allocatable.systemReservedBytes)), evictionHard \(MemoryText.bytes(allocatable.evictionHardBytes)))"
        }
        evidence.append(nodeLine)
        var usageLine = "working set now \(MemoryText.bytes(slice.workingSetBytes)) (\(MemoryText.percent(Double(slice.workingSetBytes) / Double(limit))) of the limit), usage \(MemoryText.bytes(slice.usageBytes))"
        if let peak = slice.peakWorkingSetBytes {
            usageLine += ", peak \(MemoryText.bytes(peak)) (\(MemoryText.percent(Double(peak) / Double(limit))))"
        }
        evidence.append(usageLine)
        if killCount > 0 {
            let list = kills.map { "\($0.name) ×\($0.count) (last \(timestamp($0.lastTime)))" }.joined(separator: ", ")
            evidence.append("OOM kills in \(slice.name) within the last \(windowText(facts.killWindowSeconds)): \(list)")
            evidence.append("kubelet raises no MemoryPressure condition and no SystemOOM node event for kills below the root cgroup: it reports nothing about these")
        }

        let recommended = recommendation(observed: observed, limit: limit, limitWasHit: killCount > 0 || usedFraction >= thresholds.nearLimitCritical, thresholds: thresholds)
        let fix: String
        if let enforced {
            let entry = enforced.setting.rawValue
            fix = "Choose one, then restart kubelet: (1) remove \(entry) from enforceNodeAllocatable (keep \(enforced.setting.settingName) so the scheduler still sets the memory aside); "
                + "(2) on Kubernetes ≥ 1.32 use \(entry)-compressible instead, which enforces CPU only; "
                + "(3) raise \(enforced.setting.settingName) memory to what \(slice.name) needs: observed peak \(MemoryText.bytes(observed)) + headroom → at least \(MemoryText.bytes(recommended))"
                + (killCount > 0 ? " (it hit its limit, so measure its real need with the limit lifted)" : "")
                + ". kubelet does not lift a limit it wrote: after (1) or (2) write max to /sys/fs/cgroup\(slice.path)/memory.max (cgroup v2) or -1 to /sys/fs/cgroup/memory\(slice.path)/memory.limit_in_bytes (v1), or reboot."
        } else {
            fix = "Raise or remove the memory limit on \(slice.name): `systemctl set-property \(slice.name) MemoryMax=\(recommended / (1024 * 1024))M` (observed peak \(MemoryText.bytes(observed)) + headroom) or MemoryMax=infinity; `systemctl cat \(slice.name)` shows which drop-in sets it."
        }
        return Finding(id: id, severity: severity, subject: slice.path, title: title, evidence: evidence, fix: fix)
    }

    /// Kills caused by `slice`'s limit (`oom_memcg` = the slice), summed per owner, most first.
    private static func killsAttributed(to slice: SliceFacts, in facts: NodeFacts) -> [(name: String, count: Int, lastTime: Date)] {
        var byName: [String: (count: Int, lastTime: Date)] = [:]
        for kill in facts.kills where kill.count > 0 {
            // Only kills caused by this slice's own limit count: a unit that hits its own MemoryMax=
            // or a node-wide OOM says nothing about the slice's limit.
            guard let limitCgroup = kill.limitCgroup, KubeletConfiguration.normalizedCgroup(limitCgroup) == slice.path else { continue }
            let name = kill.displayName
            let previous = byName[name]
            byName[name] = ((previous?.count ?? 0) + kill.count, max(previous?.lastTime ?? kill.lastTime, kill.lastTime))
        }
        return byName.map { (name: $0.key, count: $0.value.count, lastTime: $0.value.lastTime) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
    }

    // MARK: - Reservations vs limits

    private static func reservationFindings(_ facts: NodeFacts, thresholds: DiagnosisThresholds) -> [Finding] {
        guard let kubelet = facts.kubelet else { return [] }
        var results: [Finding] = []
        let enforcedCgroups: [(KubeletConfiguration.ReservationKind, String?, Int64?, Bool)] = [
            (.systemReserved, kubelet.systemReservedCgroup, kubelet.systemReservedMemoryBytes, kubelet.enforcesSystemReservedMemory),
            (.kubeReserved, kubelet.kubeReservedCgroup, kubelet.kubeReservedMemoryBytes, kubelet.enforcesKubeReservedMemory),
        ]
        for (kind, cgroup, reserved, enforced) in enforcedCgroups {
            guard enforced, let cgroup, let reserved else { continue }
            guard let slice = facts.slices.first(where: { $0.path == cgroup }) else { continue }
            let name = slice.name
            if let limit = slice.limitBytes {
                guard abs(limit - reserved) > thresholds.reservationToleranceBytes else { continue }
                results.append(Finding(
                    id: Finding.Kind.sliceLimitDiffersFromReservation,
                    severity: .warning,
                    subject: cgroup,
                    title: "\(name) memory limit \(MemoryText.bytes(limit)) differs from kubelet's \(kind.settingName) memory \(MemoryText.bytes(reserved)), which kubelet enforces on it",
                    evidence: [
                        kubeletEvidence(kubelet),
                        "\(cgroup) memory limit: \(MemoryText.bytes(limit)) (\(limit) bytes); \(kind.settingName) memory: \(MemoryText.bytes(reserved)) (\(reserved) bytes)",
                    ],
                    fix: "Something else set the limit after kubelet started (a systemd MemoryMax= on \(name), a manual write) or kubelet's configuration changed without a restart. Keep one owner of the limit: set \(kind.settingName) memory to the size you want and restart kubelet, or remove \(kind.rawValue) from enforceNodeAllocatable and manage \(name) with systemd."
                ))
            } else {
                results.append(Finding(
                    id: Finding.Kind.reservationNotEnforced,
                    severity: .info,
                    subject: cgroup,
                    title: "kubelet is configured to limit \(name) to its \(kind.settingName) memory \(MemoryText.bytes(reserved)), but \(name) has no memory limit",
                    evidence: [
                        kubeletEvidence(kubelet),
                        "\(cgroup) memory limit: none",
                    ],
                    fix: "The configuration is not in effect: kubelet has not been restarted since it changed, or it runs with other flags. It takes effect at kubelet's next start; check that \(name) can live within \(MemoryText.bytes(reserved)) (working set now \(MemoryText.bytes(slice.workingSetBytes))) before that."
                ))
            }
        }
        return results
    }

    // MARK: - Repeated unit kills

    private static func unitKillFindings(_ facts: NodeFacts, thresholds: DiagnosisThresholds) -> [Finding] {
        var byUnit: [String: (count: Int, lastTime: Date, slice: String, limits: Set<String>)] = [:]
        for kill in facts.kills where kill.ownerKind == .unit {
            guard let unit = kill.unit, !unit.isEmpty else { continue }
            var entry = byUnit[unit] ?? (0, kill.lastTime, kill.slice, [])
            entry.count += kill.count
            entry.lastTime = max(entry.lastTime, kill.lastTime)
            entry.limits.insert(kill.limitCgroup.map(KubeletConfiguration.normalizedCgroup) ?? "")
            byUnit[unit] = entry
        }
        let sorted = byUnit.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
        var results: [Finding] = []
        for (unit, entry) in sorted where entry.count >= thresholds.repeatedKillsWarning {
            let severity: FindingSeverity = entry.count >= thresholds.repeatedKillsCritical ? .critical : .warning
            let limits = entry.limits.sorted()
            let namedLimits = limits.filter { !$0.isEmpty }
            var title = "\(unit) was OOM-killed \(entry.count) times within \(windowText(facts.killWindowSeconds))"
            if !namedLimits.isEmpty { title += " (limit hit: \(namedLimits.joined(separator: ", ")))" }
            var evidence = [
                "\(entry.count) OOM kills of \(unit) in \(entry.slice.isEmpty ? "an unknown slice" : entry.slice) within the last \(windowText(facts.killWindowSeconds)), last \(timestamp(entry.lastTime))",
            ]
            let fix: String
            if let sliceLimit = namedLimits.first(where: { limitCgroup in
                facts.slices.contains { $0.path == limitCgroup && $0.path.hasSuffix(".slice") } && !limitCgroup.hasSuffix("/" + unit)
            }) {
                let slice = sliceLimit.split(separator: "/").last.map(String.init) ?? sliceLimit
                if let enforced = facts.kubelet?.enforcedMemoryLimit(onCgroup: sliceLimit) {
                    evidence.append("the limit hit is \(sliceLimit), which kubelet limits to its \(enforced.setting.settingName) memory (enforceNodeAllocatable)")
                } else {
                    evidence.append("the limit hit is the slice's (\(sliceLimit)), not the unit's own")
                }
                fix = "The kills come from \(slice)'s limit, not from \(unit) itself: fix the slice limit (see the \(slice) finding) rather than the unit."
            } else if limits == [""] {
                evidence.append("no limit cgroup recorded: a node-wide (global) OOM or an unassembled kill")
                fix = "The node ran out of memory: find what grew (oomwatch /history), reserve memory for system daemons (systemReserved) and set pod memory limits."
            } else {
                fix = "\(unit) reaches its own memory limit: raise MemoryMax= of \(unit) (`systemctl set-property \(unit) MemoryMax=…`) or find what makes it grow."
            }
            results.append(Finding(id: Finding.Kind.repeatedUnitOOMKills, severity: severity, subject: unit, title: title, evidence: evidence, fix: fix))
        }
        return results
    }

    // MARK: - BestEffort pods

    private static func bestEffortFinding(_ facts: NodeFacts) -> Finding? {
        guard facts.underMemoryPressure, facts.bestEffortPodCount > 0 else { return nil }
        let count = facts.bestEffortPodCount
        let pods = count == 1 ? "1 BestEffort pod" : "\(count) BestEffort pods"
        return Finding(
            id: Finding.Kind.bestEffortPodsUnderPressure,
            severity: .warning,
            subject: "node",
            title: "\(pods) (no memory requests or limits) \(count == 1 ? "runs" : "run") on a node under memory pressure",
            evidence: [
                "node under memory pressure",
                "BestEffort pods have oom_score_adj 1000: the kernel kills them first and kubelet evicts them first; the scheduler does not account for their memory",
            ],
            fix: "Give these pods memory requests and limits (or a LimitRange with defaults in their namespaces) so the scheduler accounts for their memory."
        )
    }

    // MARK: - Swap

    private static func swapFindings(_ facts: NodeFacts, thresholds: DiagnosisThresholds) -> [Finding] {
        var results: [Finding] = []
        for slice in facts.slices {
            guard let limit = slice.limitBytes, limit > 0 else { continue }
            if let swapped = slice.swapUsageBytes, Double(swapped) >= thresholds.swapUsageFraction * Double(limit) {
                results.append(Finding(
                    id: Finding.Kind.sliceSwapping,
                    severity: .warning,
                    subject: slice.path,
                    title: "\(slice.name) has \(MemoryText.bytes(swapped)) in swap (\(MemoryText.percent(Double(swapped) / Double(limit))) of its \(MemoryText.bytes(limit)) limit): it is pressed against its limit",
                    evidence: [
                        "\(slice.path) memory limit \(MemoryText.bytes(limit)), swap used \(MemoryText.bytes(swapped)), working set \(MemoryText.bytes(slice.workingSetBytes))",
                    ],
                    fix: "Reclaim pushes \(slice.name) into swap because its limit is too small for it: raise the limit to its working set plus headroom; swapping at the limit means slow services before OOM kills."
                ))
            }
            let kills = killsAttributed(to: slice, in: facts).reduce(0) { $0 + $1.count }
            if let memsw = slice.memswLimitBytes, memsw <= limit + thresholds.reservationToleranceBytes,
               facts.swap.totalBytes > 0, kills > 0 {
                results.append(Finding(
                    id: Finding.Kind.sliceSwapBlocked,
                    severity: .info,
                    subject: slice.path,
                    title: "\(slice.name) cannot use swap (memory+swap limit \(MemoryText.bytes(memsw)) = its memory limit) although the node has \(MemoryText.bytes(facts.swap.totalBytes)) of swap: \(kills) OOM \(kills == 1 ? "kill" : "kills") at its limit happened with swap free",
                    evidence: [
                        "\(slice.path) memory.limit_in_bytes \(limit), memory.memsw.limit_in_bytes \(memsw)",
                        "node swap: \(MemoryText.bytes(facts.swap.totalBytes)) total, \(MemoryText.bytes(facts.swap.usedBytes)) used",
                    ],
                    fix: "Swap will not save \(slice.name): size its memory limit for its working set. Only if its services tolerate swap latency, raise memory.memsw.limit_in_bytes above the memory limit."
                ))
            }
        }
        return results
    }

    // MARK: - Helpers

    /// kubepods and its QoS tiers are sized by kubelet on purpose; they are not judged here.
    private static func isPodTier(_ path: String) -> Bool {
        guard let first = path.split(separator: "/").first else { return false }
        return first == "kubepods" || first == "kubepods.slice"
    }

    private static func kubeletEvidence(_ kubelet: KubeletConfiguration) -> String {
        var parts = ["enforceNodeAllocatable=[\(kubelet.enforceNodeAllocatable.joined(separator: ", "))]"]
        if let cgroup = kubelet.systemReservedCgroup { parts.append("systemReservedCgroup=\(cgroup)") }
        if let bytes = kubelet.systemReservedMemoryBytes { parts.append("systemReserved memory=\(MemoryText.bytes(bytes))") }
        if let cgroup = kubelet.kubeReservedCgroup { parts.append("kubeReservedCgroup=\(cgroup)") }
        if let bytes = kubelet.kubeReservedMemoryBytes { parts.append("kubeReserved memory=\(MemoryText.bytes(bytes))") }
        var line = "kubelet: " + parts.joined(separator: ", ")
        if !kubelet.fromFlags.isEmpty { line += " (from flags: \(kubelet.fromFlags.joined(separator: ", ")))" }
        return line
    }

    /// The limit to recommend: the observed need (the limit itself when it was hit) plus headroom,
    /// rounded up to a multiple of the minimum headroom.
    static func recommendation(observed: Int64, limit: Int64, limitWasHit: Bool, thresholds: DiagnosisThresholds) -> Int64 {
        let base = limitWasHit ? max(observed, limit) : observed
        let headroom = max(Int64(Double(base) * thresholds.headroomFraction), thresholds.minimumHeadroomBytes)
        let step = max(thresholds.minimumHeadroomBytes, 1)
        let wanted = base + headroom
        return ((wanted + step - 1) / step) * step
    }

    /// `3600` → `1h`, `900` → `15m`, `5400` → `1h30m`, `86400` → `24h`.
    static func windowText(_ seconds: Double) -> String {
        let total = Int64(max(0, seconds.rounded()))
        if total == 0 { return "0s" }
        var text = ""
        let hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if secs > 0 { text += "\(secs)s" }
        return text
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
