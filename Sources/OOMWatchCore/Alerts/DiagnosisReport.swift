#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The result of a node diagnosis, as served by `/diagnose`.
public struct DiagnosisReport: Sendable, Hashable, Codable {
    /// When the diagnosis was made.
    public var generatedAt: Date
    /// Node memory capacity, bytes.
    public var capacityBytes: Int64
    /// Node Allocatable memory, when the kubelet configuration is known.
    public var allocatable: Allocatable?
    /// Whether a kubelet configuration was found.
    public var kubeletConfigurationFound: Bool
    /// The findings, most severe first.
    public var findings: [Finding]

    public init(generatedAt: Date, capacityBytes: Int64, allocatable: Allocatable?, kubeletConfigurationFound: Bool, findings: [Finding]) {
        self.generatedAt = generatedAt
        self.capacityBytes = capacityBytes
        self.allocatable = allocatable
        self.kubeletConfigurationFound = kubeletConfigurationFound
        self.findings = findings
    }

    /// Diagnoses `facts` at `now`.
    public static func diagnose(_ facts: NodeFacts, at now: Date, thresholds: DiagnosisThresholds = DiagnosisThresholds()) -> DiagnosisReport {
        DiagnosisReport(
            generatedAt: now,
            capacityBytes: facts.capacityBytes,
            allocatable: facts.kubelet.map { Allocatable.compute(capacity: facts.capacityBytes, config: $0) },
            kubeletConfigurationFound: facts.kubelet != nil,
            findings: NodeDiagnosis.findings(for: facts, thresholds: thresholds)
        )
    }
}
