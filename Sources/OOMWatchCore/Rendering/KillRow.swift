/// One OOM kill reduced to what a person reads first: when, who died, whose it was, how big it was and
/// which limit was hit. Shared by the status page and the terminal commands. Texts are raw (not escaped):
/// each renderer escapes for its medium.
public struct KillRow: Sendable, Hashable, Codable {
    /// The event id (`kill-…`).
    public var id: String
    /// When the kill happened, µs since the epoch (0 when unknown).
    public var realtimeMicros: Int64
    /// The victim's pid.
    public var pid: Int
    /// The victim's process name as displayed (`\xNN` for invalid bytes).
    public var comm: String
    /// The owner kind: `pod`, `unit`, `slice`, `kubepods`, `root`, `unknown`.
    public var ownerKind: String
    /// The owner for people: `pod default/web (burstable) container nginx`, `system.slice/haproxy.service`.
    public var owner: String
    /// The owner in few columns: `default/web (burstable) nginx`, `pod 98109238 (besteffort) 3b7f2c1d9e8a`,
    /// `system.slice/haproxy.service`.
    public var compactOwner: String
    /// QoS class when the owner is a pod.
    public var qos: PodQOSClass?
    /// Resident memory of the victim at the kill (anon + file + shmem), bytes; nil when not printed.
    public var rssBytes: UInt64?
    /// How the kill was constrained (memcg, global, …).
    public var constraint: OOMConstraint
    /// The cgroup whose limit was hit; nil for a global OOM or when not printed.
    public var limitCgroup: String?
    /// That cgroup's limit at the kill, bytes, when the report printed it.
    public var limitBytes: UInt64?
    /// True when rebuilt from the journal at start-up.
    public var replayed: Bool

    public init(id: String, realtimeMicros: Int64, pid: Int, comm: String, ownerKind: String, owner: String, compactOwner: String? = nil, qos: PodQOSClass?,
                rssBytes: UInt64?, constraint: OOMConstraint, limitCgroup: String?, limitBytes: UInt64?, replayed: Bool) {
        self.id = id
        self.realtimeMicros = realtimeMicros
        self.pid = pid
        self.comm = comm
        self.ownerKind = ownerKind
        self.owner = owner
        self.compactOwner = compactOwner ?? owner
        self.qos = qos
        self.rssBytes = rssBytes
        self.constraint = constraint
        self.limitCgroup = limitCgroup
        self.limitBytes = limitBytes
        self.replayed = replayed
    }

    /// The row of a kill event; nil for other kinds of event.
    public init?(_ event: NodeEvent) {
        guard case .oomKill(let kill) = event.payload else { return nil }
        self.init(kill, realtimeMicros: event.realtimeMicros, id: event.id, replayed: event.replayed)
    }

    /// The row of a kill.
    public init(_ kill: OOMKill, realtimeMicros: Int64? = nil, id: String? = nil, replayed: Bool = false) {
        let victim = kill.victim
        let parts = [victim.anonRssKB, victim.fileRssKB, victim.shmemRssKB].compactMap { $0 }
        var qos: PodQOSClass?
        if case .pod(let pod) = kill.owner { qos = pod.qos }
        self.init(
            id: id ?? "kill-" + kill.id,
            realtimeMicros: realtimeMicros ?? kill.realtimeMicros ?? 0,
            pid: victim.pid,
            comm: victim.comm.display,
            ownerKind: kill.owner.kind,
            owner: kill.owner.displayName,
            compactOwner: Self.compact(kill.owner),
            qos: qos,
            rssBytes: parts.isEmpty ? nil : parts.reduce(0, +) * 1024,
            constraint: kill.constraint,
            limitCgroup: kill.limitCgroup,
            limitBytes: kill.memcg?.limitKB.map { $0 * 1024 },
            replayed: replayed)
    }

    /// `default/web (burstable) nginx`; without names from the pod directory the uid's first 8 and the
    /// container id's first 12 characters: `pod 98109238 (burstable) 3b7f2c1d9e8a`; other owners as displayed.
    public static func compact(_ owner: CgroupOwner) -> String {
        guard case .pod(let pod) = owner else { return owner.displayName }
        var text = pod.namespace.flatMap { ns in pod.podName.map { "\(ns)/\($0)" } } ?? "pod \(pod.podUID.prefix(8))"
        text += " (\(pod.qos.rawValue))"
        if let container = pod.containerName ?? pod.containerID.map({ String($0.prefix(12)) }) { text += " " + container }
        if pod.isSandbox && pod.containerName == nil { text += " (sandbox)" }
        return text
    }

    /// The victim as `comm (pid)`.
    public var victim: String { "\(comm) (\(pid))" }

    /// RSS in human units, `-` when unknown.
    public var rssText: String { rssBytes.map { MemoryText.bytes(Int64(clamping: $0)) } ?? "-" }

    /// Which limit was hit, named by what the cgroup is: `container at 512 MiB`, `system.slice at 32 MiB`,
    /// `kubepods/burstable at 7 GiB`, `node memory (global OOM)`, `cpuset`, `-`. The full path is `limitCgroup`.
    public var limitText: String {
        switch constraint {
        case .global: return "node memory (global OOM)"
        case .cpuset: return "cpuset"
        case .memoryPolicy: return "memory policy"
        case .memcg, .unknown:
            guard let cgroup = limitCgroup else { return constraint == .memcg ? "a memory cgroup" : "-" }
            let scope = Self.scope(ofLimit: cgroup)
            guard let bytes = limitBytes else { return scope }
            return "\(scope) at \(MemoryText.bytes(Int64(clamping: bytes)))"
        }
    }

    /// What a limited cgroup is: `container`, `pod`, `kubepods/burstable`, `system.slice`,
    /// `system.slice/haproxy.service`, `/`, else its path.
    public static func scope(ofLimit path: String) -> String {
        switch CgroupPathClassifier.classify(path) {
        case .pod(let pod): return pod.containerID == nil ? "pod" : "container"
        case .kubepods(let qos): return qos.map { "kubepods/\($0.rawValue)" } ?? "kubepods"
        case .slice(let slice): return slice
        case .systemdUnit(let slice, let unit): return "\(slice)/\(unit)"
        case .root: return "/"
        case .unknown(let other): return other.isEmpty ? "a memory cgroup" : other
        }
    }
}
