import Foundation
import Testing
@testable import OOMWatchCore

/// The seed incident: a 188 GiB node whose kubelet enforces system-reserved (512Mi) on /system.slice;
/// haproxy and systemd-resolved are OOM-killed again and again inside that cgroup.
enum SeedIncident {
    static let capacity: Int64 = 188 << 30
    static let lastKill = Date(timeIntervalSince1970: 1_731_000_000)

    static func kubelet() throws -> KubeletConfiguration {
        try KubeletConfiguration.resolve(file: KubeletSettings(
            enforceNodeAllocatable: ["pods", "system-reserved", "kube-reserved"],
            systemReserved: ["cpu": "500m", "memory": "512Mi"],
            kubeReserved: ["cpu": "1", "memory": "1Gi"],
            systemReservedCgroup: "/system.slice",
            kubeReservedCgroup: "/kube.slice",
            evictionHard: ["memory.available": "100Mi"],
            cgroupDriver: "systemd"
        ))
    }

    static func facts() throws -> NodeFacts {
        NodeFacts(
            capacityBytes: capacity,
            kubelet: try kubelet(),
            slices: [
                SliceFacts(path: "/system.slice", limitBytes: 512 << 20, usageBytes: 530 << 20, workingSetBytes: 500 << 20, peakWorkingSetBytes: 512 << 20),
                SliceFacts(path: "/kube.slice", limitBytes: 1 << 30, usageBytes: 400 << 20, workingSetBytes: 300 << 20, peakWorkingSetBytes: 410 << 20),
                SliceFacts(path: "/kubepods.slice", limitBytes: 186 << 30, usageBytes: 120 << 30, workingSetBytes: 100 << 30),
            ],
            kills: [
                OwnerKillFacts(ownerKind: .unit, slice: "system.slice", unit: "systemd-resolved.service", limitCgroup: "/system.slice", count: 6, lastTime: lastKill.addingTimeInterval(-300)),
                OwnerKillFacts(ownerKind: .unit, slice: "system.slice", unit: "haproxy.service", limitCgroup: "/system.slice", count: 14, lastTime: lastKill),
            ],
            killWindowSeconds: 3600
        )
    }

    static let title = "system.slice is capped at 512 MiB (0.27% of 188 GiB node memory) by kubelet's enforceNodeAllocatable [pods, system-reserved, kube-reserved] with systemReservedCgroup=/system.slice; killed in it: haproxy.service ×14, systemd-resolved.service ×6"
}

@Suite struct NodeDiagnosisTests {
    @Test func seedIncidentFirstFindingIsTheSystemSliceCap() throws {
        let findings = NodeDiagnosis.findings(for: try SeedIncident.facts())
        #expect(findings.map { "\($0.severity.rawValue) \($0.id) \($0.subject)" } == [
            "critical SystemSliceLimitTooSmall /system.slice",
            "critical RepeatedUnitOOMKills haproxy.service",
            "critical RepeatedUnitOOMKills systemd-resolved.service",
            "warning KubeSliceLimitTooSmall /kube.slice",
        ])
        let first = try #require(findings.first)
        #expect(first.title == SeedIncident.title)
        #expect(first.evidence == [
            "kubelet: enforceNodeAllocatable=[pods, system-reserved, kube-reserved], systemReservedCgroup=/system.slice, systemReserved memory=512 MiB, kubeReservedCgroup=/kube.slice, kubeReserved memory=1 GiB",
            "/system.slice memory limit: 512 MiB (536870912 bytes) = kubelet's systemReserved memory",
            "node memory capacity: 188 GiB, Allocatable 186 GiB (kubeReserved 1 GiB, systemReserved 512 MiB, evictionHard 100 MiB)",
            "working set now 500 MiB (98% of the limit), usage 530 MiB, peak 512 MiB (100%)",
            "OOM kills in system.slice within the last 1h: haproxy.service ×14 (last 2024-11-07T17:20:00Z), systemd-resolved.service ×6 (last 2024-11-07T17:15:00Z)",
            "kubelet raises no MemoryPressure condition and no SystemOOM node event for kills below the root cgroup: it reports nothing about these",
        ])
        #expect(first.fix == "Choose one, then restart kubelet: (1) remove system-reserved from enforceNodeAllocatable (keep systemReserved so the scheduler still sets the memory aside); (2) on Kubernetes ≥ 1.32 use system-reserved-compressible instead, which enforces CPU only; (3) raise systemReserved memory to what system.slice needs: observed peak 512 MiB + headroom → at least 768 MiB (it hit its limit, so measure its real need with the limit lifted). kubelet does not lift a limit it wrote: after (1) or (2) write max to /sys/fs/cgroup/system.slice/memory.max (cgroup v2) or -1 to /sys/fs/cgroup/memory/system.slice/memory.limit_in_bytes (v1), or reboot.")

        let haproxy = findings[1]
        #expect(haproxy.title == "haproxy.service was OOM-killed 14 times within 1h (limit hit: /system.slice)")
        #expect(haproxy.evidence == [
            "14 OOM kills of haproxy.service in system.slice within the last 1h, last 2024-11-07T17:20:00Z",
            "the limit hit is /system.slice, which kubelet limits to its systemReserved memory (enforceNodeAllocatable)",
        ])
        #expect(haproxy.fix == "The kills come from system.slice's limit, not from haproxy.service itself: fix the slice limit (see the system.slice finding) rather than the unit.")

        let kube = findings[3]
        #expect(kube.title == "kube.slice is capped at 1 GiB (0.53% of 188 GiB node memory) by kubelet's enforceNodeAllocatable [pods, system-reserved, kube-reserved] with kubeReservedCgroup=/kube.slice; working set at 40% of the limit")
    }

    @Test func seedIncidentReportStartsWithTheCap() throws {
        let report = DiagnosisReport.diagnose(try SeedIncident.facts(), at: Date(timeIntervalSince1970: 1_731_000_600))
        let text = DiagnosisReportRenderer.text(report)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "CRITICAL: " + SeedIncident.title)
        #expect(lines[1] == "CRITICAL: haproxy.service was OOM-killed 14 times within 1h (limit hit: /system.slice)")
        #expect(lines[4] == "")
        #expect(lines[5] == "Node memory 188 GiB, Allocatable 186 GiB (kubeReserved 1 GiB, systemReserved 512 MiB, evictionHard 100 MiB). Findings: 3 critical, 1 warning. Generated 2024-11-07T17:30:00Z.")
        #expect(lines[7] == "[1] CRITICAL SystemSliceLimitTooSmall on /system.slice")
        #expect(lines[8] == "    " + SeedIncident.title)
        #expect(lines[9] == "    Evidence:")
        #expect(text.contains("    Fix: Choose one, then restart kubelet: (1) remove system-reserved from enforceNodeAllocatable"))

        let json = try DiagnosisReportRenderer.json(report)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(DiagnosisReport.self, from: Data(json))
        #expect(decoded == report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.first?["id"] as? String == "SystemSliceLimitTooSmall")
        #expect(findings.first?["severity"] as? String == "critical")
        #expect(object["generatedAt"] as? String == "2024-11-07T17:30:00Z")
    }

    @Test func emptyReportSaysSo() {
        let report = DiagnosisReport.diagnose(NodeFacts(capacityBytes: 8 << 30), at: Date(timeIntervalSince1970: 0))
        #expect(report.findings.isEmpty)
        #expect(DiagnosisReportRenderer.text(report) == """
            No findings: no slice is limited below its needs and no unit is killed repeatedly.

            Node memory 8 GiB; no kubelet configuration found. Findings: none. Generated 1970-01-01T00:00:00Z.

            """)
    }

    @Test func limitNotSetByKubeletIsNamedAsSuch() throws {
        let facts = NodeFacts(
            capacityBytes: 16 << 30,
            kubelet: try KubeletConfiguration.resolve(file: KubeletSettings(systemReserved: ["memory": "1Gi"], systemReservedCgroup: "/system.slice")),
            slices: [SliceFacts(path: "system.slice", limitBytes: 2 << 30, usageBytes: 1900 << 20, workingSetBytes: 1700 << 20)]
        )
        let findings = NodeDiagnosis.findings(for: facts)
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.id == "SystemSliceLimitTooSmall")
        #expect(finding.severity == .warning)
        #expect(finding.title == "system.slice is capped at 2 GiB (13% of 16 GiB node memory) by a limit kubelet does not set (enforceNodeAllocatable [pods]); working set at 83% of the limit")
        #expect(finding.fix == "Raise or remove the memory limit on system.slice: `systemctl set-property system.slice MemoryMax=2304M` (observed peak 1.7 GiB + headroom) or MemoryMax=infinity; `systemctl cat system.slice` shows which drop-in sets it.")
    }

    @Test func roomySlicesWithoutKubeletGiveNoFinding() {
        let facts = NodeFacts(
            capacityBytes: 16 << 30,
            slices: [
                SliceFacts(path: "/system.slice", limitBytes: 4 << 30, workingSetBytes: 1 << 30, peakWorkingSetBytes: 3 << 30),
                SliceFacts(path: "/user.slice", limitBytes: nil, workingSetBytes: 10 << 30),
                SliceFacts(path: "/kubepods", limitBytes: 1 << 20, workingSetBytes: 1 << 20),
            ]
        )
        #expect(NodeDiagnosis.findings(for: facts) == [])
    }

    @Test func peakNearLimitWithoutKillsIsCritical() {
        let facts = NodeFacts(capacityBytes: 16 << 30, slices: [SliceFacts(path: "/kube.slice", limitBytes: 1 << 30, workingSetBytes: 500 << 20, peakWorkingSetBytes: 1000 << 20)])
        let findings = NodeDiagnosis.findings(for: facts)
        #expect(findings.map(\.id) == ["KubeSliceLimitTooSmall"])
        #expect(findings.first?.severity == .critical)
        #expect(findings.first?.title == "kube.slice is capped at 1 GiB (6.3% of 16 GiB node memory) by a cgroup memory limit (no kubelet configuration found); working set at 98% of the limit")
    }

    @Test func sliceLimitThatDiffersFromTheReservation() throws {
        let facts = NodeFacts(
            capacityBytes: 64 << 30,
            kubelet: try SeedIncident.kubelet(),
            slices: [
                SliceFacts(path: "/system.slice", limitBytes: 4 << 30, workingSetBytes: 1 << 30),
                SliceFacts(path: "/kube.slice", limitBytes: nil, workingSetBytes: 200 << 20),
            ]
        )
        let findings = NodeDiagnosis.findings(for: facts)
        #expect(findings.map { "\($0.severity.rawValue) \($0.id) \($0.subject)" } == [
            "warning SliceLimitDiffersFromReservation /system.slice",
            "info ReservationNotEnforced /kube.slice",
        ])
        #expect(findings[0].title == "system.slice memory limit 4 GiB differs from kubelet's systemReserved memory 512 MiB, which kubelet enforces on it")
        #expect(findings[1].title == "kubelet is configured to limit kube.slice to its kubeReserved memory 1 GiB, but kube.slice has no memory limit")
    }

    @Test func pageRoundedLimitCountsAsEqual() throws {
        let facts = NodeFacts(
            capacityBytes: 64 << 30,
            kubelet: try SeedIncident.kubelet(),
            slices: [SliceFacts(path: "/system.slice", limitBytes: (512 << 20) - 4096, workingSetBytes: 100 << 20)]
        )
        // 512 MiB on 64 GiB is 0.78 %: small and enforced → a warning, but no mismatch finding.
        #expect(NodeDiagnosis.findings(for: facts).map(\.id) == ["SystemSliceLimitTooSmall"])
    }

    @Test func bestEffortPodsOnlyMatterUnderPressure() {
        var facts = NodeFacts(capacityBytes: 16 << 30, bestEffortPodCount: 3, underMemoryPressure: false)
        #expect(NodeDiagnosis.findings(for: facts) == [])
        facts.underMemoryPressure = true
        let findings = NodeDiagnosis.findings(for: facts)
        #expect(findings.count == 1)
        #expect(findings.first?.id == "BestEffortPodsUnderPressure")
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.subject == "node")
        #expect(findings.first?.title == "3 BestEffort pods (no memory requests or limits) run on a node under memory pressure")
    }

    @Test func unitKillsBelowTheRepeatThresholdAreNotReported() {
        let facts = NodeFacts(capacityBytes: 16 << 30, kills: [
            OwnerKillFacts(ownerKind: .unit, slice: "system.slice", unit: "cron.service", limitCgroup: "/system.slice/cron.service", count: 1, lastTime: Date(timeIntervalSince1970: 0)),
            OwnerKillFacts(ownerKind: .unit, slice: "system.slice", unit: "java.service", limitCgroup: "/system.slice/java.service", count: 2, lastTime: Date(timeIntervalSince1970: 0)),
            OwnerKillFacts(ownerKind: .unit, slice: "system.slice", unit: "leaky.service", count: 3, lastTime: Date(timeIntervalSince1970: 0)),
        ])
        let findings = NodeDiagnosis.findings(for: facts)
        #expect(findings.map(\.subject) == ["leaky.service", "java.service"])
        #expect(findings.map(\.severity) == [.warning, .warning])
        #expect(findings[1].fix == "java.service reaches its own memory limit: raise MemoryMax= of java.service (`systemctl set-property java.service MemoryMax=…`) or find what makes it grow.")
        #expect(findings[0].fix.hasPrefix("The node ran out of memory"))
    }

    @Test func swapFindings() {
        let facts = NodeFacts(
            capacityBytes: 16 << 30,
            slices: [
                SliceFacts(path: "/system.slice", limitBytes: 8 << 30, workingSetBytes: 1 << 30, memswLimitBytes: 8 << 30),
                SliceFacts(path: "/batch.slice", limitBytes: 8 << 30, workingSetBytes: 1 << 30, swapUsageBytes: 1 << 30),
            ],
            kills: [OwnerKillFacts(ownerKind: .unit, slice: "system.slice", unit: "a.service", limitCgroup: "/system.slice", count: 1, lastTime: Date(timeIntervalSince1970: 0))],
            swap: SwapFacts(totalBytes: 4 << 30, usedBytes: 1 << 30)
        )
        let findings = NodeDiagnosis.findings(for: facts)
        #expect(findings.map { "\($0.severity.rawValue) \($0.id) \($0.subject)" } == [
            "critical SystemSliceLimitTooSmall /system.slice",
            "warning SliceSwapping /batch.slice",
            "info SliceSwapBlocked /system.slice",
        ])
        #expect(findings[1].title == "batch.slice has 1 GiB in swap (13% of its 8 GiB limit): it is pressed against its limit")
        #expect(findings[2].title == "system.slice cannot use swap (memory+swap limit 8 GiB = its memory limit) although the node has 4 GiB of swap: 1 OOM kill at its limit happened with swap free")
    }

    @Test func recommendationAddsHeadroomAndRounds() {
        let thresholds = DiagnosisThresholds()
        #expect(NodeDiagnosis.recommendation(observed: 512 << 20, limit: 512 << 20, limitWasHit: true, thresholds: thresholds) == 768 << 20)
        #expect(NodeDiagnosis.recommendation(observed: 300 << 20, limit: 512 << 20, limitWasHit: true, thresholds: thresholds) == 768 << 20)
        #expect(NodeDiagnosis.recommendation(observed: 300 << 20, limit: 512 << 20, limitWasHit: false, thresholds: thresholds) == 768 << 20)
        #expect(NodeDiagnosis.recommendation(observed: 4 << 30, limit: 2 << 30, limitWasHit: false, thresholds: thresholds) == 5 << 30)
        #expect(NodeDiagnosis.windowText(5400) == "1h30m")
        #expect(NodeDiagnosis.windowText(900) == "15m")
    }
}
