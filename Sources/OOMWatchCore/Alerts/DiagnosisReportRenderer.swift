#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Renders a `DiagnosisReport` for people (text whose first lines are the most severe findings)
/// and for programs (JSON).
public enum DiagnosisReportRenderer {
    /// Plain text: one headline per finding, most severe first, then the details of each.
    public static func text(_ report: DiagnosisReport) -> String {
        var out = ""
        if report.findings.isEmpty {
            out += "No findings: no slice is limited below its needs and no unit is killed repeatedly.\n"
        }
        for finding in report.findings {
            out += "\(label(finding.severity)) \(finding.title)\n"
        }
        out += "\n"
        var summary = "Node memory \(MemoryText.bytes(report.capacityBytes))"
        if let allocatable = report.allocatable {
            summary += ", Allocatable \(MemoryText.bytes(allocatable.allocatableBytes))"
                + " (kubeReserved \(MemoryText.bytes(allocatable.kubeReservedBytes)),"
                + " systemReserved \(MemoryText.bytes(allocatable.systemReservedBytes)),"
                + " evictionHard \(MemoryText.bytes(allocatable.evictionHardBytes)))"
        } else if !report.kubeletConfigurationFound {
            summary += "; no kubelet configuration found"
        }
        let counts = FindingSeverity.allCases.reversed().compactMap { severity -> String? in
            let count = report.findings.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)"
        }
        summary += ". Findings: " + (counts.isEmpty ? "none" : counts.joined(separator: ", "))
        summary += ". Generated \(report.generatedAt.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))."
        out += summary + "\n"
        for (index, finding) in report.findings.enumerated() {
            out += "\n[\(index + 1)] \(finding.severity.rawValue.uppercased()) \(finding.id) on \(finding.subject)\n"
            out += "    \(finding.title)\n"
            if !finding.evidence.isEmpty {
                out += "    Evidence:\n"
                for line in finding.evidence { out += "      - \(line)\n" }
            }
            out += "    Fix: \(finding.fix)\n"
        }
        return out
    }

    /// JSON (sorted keys, ISO 8601 dates).
    public static func json(_ report: DiagnosisReport, pretty: Bool = true) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(report))
    }

    private static func label(_ severity: FindingSeverity) -> String {
        switch severity {
        case .critical: "CRITICAL:"
        case .warning: "WARNING: "
        case .info: "INFO:    "
        }
    }
}
