#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Something that happened on the node, as `/events` lists it.
public struct NodeEvent: Sendable, Hashable {
    /// The kinds of event, as `?type=` names them.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case oomKill = "oom_kill"
        case kernelError = "kernel_error"
        case nodeReboot = "node_reboot"
        case alert
    }

    /// The event's payload.
    public enum Payload: Sendable, Hashable {
        case oomKill(OOMKill)
        case kernelError(KernelError)
        case nodeReboot(NodeReboot)
        case alert(AlertTransition)
    }

    /// Stable identity: the same kill seen twice (replay, two sources) has the same id.
    public var id: String
    /// When it happened, µs since the epoch (0 when the source gave no time).
    public var realtimeMicros: Int64
    /// True when rebuilt from the journal at start-up for a kill a previous run had already counted.
    public var replayed: Bool
    public var payload: Payload

    public init(id: String, realtimeMicros: Int64, replayed: Bool, payload: Payload) {
        self.id = id
        self.realtimeMicros = realtimeMicros
        self.replayed = replayed
        self.payload = payload
    }

    public var kind: Kind {
        switch payload {
        case .oomKill: .oomKill
        case .kernelError: .kernelError
        case .nodeReboot: .nodeReboot
        case .alert: .alert
        }
    }

    /// An event for an assembled kill.
    public static func kill(_ kill: OOMKill, replayed: Bool) -> NodeEvent {
        NodeEvent(id: "kill-" + kill.id, realtimeMicros: kill.realtimeMicros ?? 0, replayed: replayed, payload: .oomKill(kill))
    }

    /// An event for a kernel BUG/Oops/panic line.
    public static func kernelError(_ error: KernelError, replayed: Bool) -> NodeEvent {
        let id = "kerr-\(error.bootID ?? "")-\(error.monotonicMicros ?? error.realtimeMicros ?? 0)"
        return NodeEvent(id: id, realtimeMicros: error.realtimeMicros ?? 0, replayed: replayed, payload: .kernelError(error))
    }

    /// An event for an alert that started firing, changed severity or resolved.
    public static func alert(_ transition: AlertTransition) -> NodeEvent {
        let micros = Int64(transition.at.timeIntervalSince1970 * 1_000_000)
        let id = "alert-\(transition.alert.name.rawValue)-\(transition.alert.subject)-\(transition.kind.rawValue)-\(micros)"
        return NodeEvent(id: id, realtimeMicros: micros, replayed: false, payload: .alert(transition))
    }

    /// An event for an unexpected reboot.
    public static func reboot(_ reboot: NodeReboot) -> NodeEvent {
        NodeEvent(
            id: "reboot-\(reboot.currentBootID)", realtimeMicros: reboot.currentBootFirstRealtimeMicros ?? reboot.previousBootLastRealtimeMicros,
            replayed: false, payload: .nodeReboot(reboot))
    }
}

extension NodeEvent: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, id, time, realtimeMicros, replayed, kill, kernelError, reboot, alert
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(Self.iso8601(realtimeMicros), forKey: .time)
        try container.encode(realtimeMicros, forKey: .realtimeMicros)
        try container.encode(replayed, forKey: .replayed)
        switch payload {
        case .oomKill(let kill): try container.encode(kill, forKey: .kill)
        case .kernelError(let error): try container.encode(error, forKey: .kernelError)
        case .nodeReboot(let reboot): try container.encode(reboot, forKey: .reboot)
        case .alert(let transition): try container.encode(transition, forKey: .alert)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        realtimeMicros = try container.decode(Int64.self, forKey: .realtimeMicros)
        replayed = try container.decode(Bool.self, forKey: .replayed)
        switch try container.decode(Kind.self, forKey: .type) {
        case .oomKill: payload = .oomKill(try container.decode(OOMKill.self, forKey: .kill))
        case .kernelError: payload = .kernelError(try container.decode(KernelError.self, forKey: .kernelError))
        case .nodeReboot: payload = .nodeReboot(try container.decode(NodeReboot.self, forKey: .reboot))
        case .alert: payload = .alert(try container.decode(AlertTransition.self, forKey: .alert))
        }
    }

    /// RFC 3339 UTC with microseconds, e.g. `2026-11-23T11:49:10.123456Z`.
    public static func iso8601(_ micros: Int64) -> String {
        let seconds = Int64((Double(micros) / 1_000_000).rounded(.down))
        let fraction = micros - seconds * 1_000_000
        let civil = CivilDate(unixSeconds: seconds)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(civil.year, 4))-\(pad(civil.month, 2))-\(pad(civil.day, 2))T\(pad(civil.hour, 2)):\(pad(civil.minute, 2)):\(pad(civil.second, 2)).\(pad(fraction, 6))Z"
    }
}
