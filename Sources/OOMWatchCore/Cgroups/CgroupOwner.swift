/// Kubernetes QoS class of a pod, as encoded in its cgroup path.
public enum PodQOSClass: String, Sendable, Hashable, Codable, CaseIterable {
    case guaranteed
    case burstable
    case besteffort
}

/// The container runtime named by a container cgroup (`cri-containerd-…`, `crio-…`, `docker-…`).
public enum ContainerRuntime: String, Sendable, Hashable, Codable, CaseIterable {
    case containerd
    case crio
    case docker
    /// A bare container id (cgroupfs driver) does not name its runtime.
    case unknown
}

/// A pod (and optionally one of its containers) identified from a cgroup path.
public struct PodRef: Sendable, Hashable, Codable {
    /// Pod UID in the dashed form (`10d16a28-60ff-475f-a631-510d9792219f`).
    public var podUID: String
    public var qos: PodQOSClass
    /// Container id; `nil` for the pod-level cgroup.
    public var containerID: String?
    public var runtime: ContainerRuntime?
    /// Whether the container is the pod sandbox (pause). The path alone cannot tell; a kill whose
    /// victim is `pause` sets it (`OOMKill.resolveOwners`).
    public var isSandbox: Bool
    /// Filled later from the pod directory (`/var/log/pods`), when known.
    public var namespace: String?
    public var podName: String?
    public var containerName: String?

    public init(podUID: String, qos: PodQOSClass, containerID: String? = nil, runtime: ContainerRuntime? = nil,
                isSandbox: Bool = false, namespace: String? = nil, podName: String? = nil, containerName: String? = nil) {
        self.podUID = podUID
        self.qos = qos
        self.containerID = containerID
        self.runtime = runtime
        self.isSandbox = isSandbox
        self.namespace = namespace
        self.podName = podName
        self.containerName = containerName
    }
}

/// What a cgroup path belongs to.
///
/// Encodes as a flat JSON object with a `kind` discriminator (`pod`, `unit`, `slice`,
/// `kubepods`, `root`, `unknown`) and the case's fields.
public enum CgroupOwner: Sendable, Hashable, Codable {
    /// A pod or one of its containers.
    case pod(PodRef)
    /// A systemd unit (`haproxy.service`, `session-1.scope`) and its direct parent slice.
    case systemdUnit(slice: String, unit: String)
    /// A systemd slice with no unit below it in the path (`kube.slice`).
    case slice(String)
    /// The kubepods cgroup or a QoS tier (`kubepods/burstable`); `nil` QoS = kubepods itself.
    case kubepods(qos: PodQOSClass?)
    /// The root cgroup `/`.
    case root
    /// Anything else; carries the path (empty when no cgroup was printed).
    case unknown(String)

    /// Short label for metrics: `pod`, `unit`, `slice`, `kubepods`, `root`, `unknown`.
    public var kind: String {
        switch self {
        case .pod: return "pod"
        case .systemdUnit: return "unit"
        case .slice: return "slice"
        case .kubepods: return "kubepods"
        case .root: return "root"
        case .unknown: return "unknown"
        }
    }

    /// A short human description (`pod 10d16a28-… (burstable) container 178ec180…`, `system.slice/haproxy.service`).
    public var displayName: String {
        switch self {
        case .pod(let p):
            var s: String
            if let ns = p.namespace, let name = p.podName { s = "pod \(ns)/\(name)" } else { s = "pod \(p.podUID)" }
            s += " (\(p.qos.rawValue))"
            if let c = p.containerName {
                s += " container \(c)"
            } else if let id = p.containerID {
                s += p.isSandbox ? " sandbox \(id.prefix(12))" : " container \(id.prefix(12))"
            }
            return s
        case .systemdUnit(let slice, let unit): return "\(slice)/\(unit)"
        case .slice(let s): return s
        case .kubepods(let qos): return qos.map { "kubepods/\($0.rawValue)" } ?? "kubepods"
        case .root: return "/"
        case .unknown(let p): return p.isEmpty ? "(no cgroup)" : p
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind, podUID, qos, containerID, runtime, isSandbox, namespace, podName, containerName, slice, unit, path
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "pod":
            self = .pod(PodRef(
                podUID: try c.decode(String.self, forKey: .podUID),
                qos: try c.decode(PodQOSClass.self, forKey: .qos),
                containerID: try c.decodeIfPresent(String.self, forKey: .containerID),
                runtime: try c.decodeIfPresent(ContainerRuntime.self, forKey: .runtime),
                isSandbox: try c.decodeIfPresent(Bool.self, forKey: .isSandbox) ?? false,
                namespace: try c.decodeIfPresent(String.self, forKey: .namespace),
                podName: try c.decodeIfPresent(String.self, forKey: .podName),
                containerName: try c.decodeIfPresent(String.self, forKey: .containerName)))
        case "unit":
            self = .systemdUnit(slice: try c.decode(String.self, forKey: .slice), unit: try c.decode(String.self, forKey: .unit))
        case "slice":
            self = .slice(try c.decode(String.self, forKey: .slice))
        case "kubepods":
            self = .kubepods(qos: try c.decodeIfPresent(PodQOSClass.self, forKey: .qos))
        case "root":
            self = .root
        case "unknown":
            self = .unknown(try c.decodeIfPresent(String.self, forKey: .path) ?? "")
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown cgroup owner kind \(kind)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .pod(let p):
            try c.encode(p.podUID, forKey: .podUID)
            try c.encode(p.qos, forKey: .qos)
            try c.encodeIfPresent(p.containerID, forKey: .containerID)
            try c.encodeIfPresent(p.runtime, forKey: .runtime)
            try c.encode(p.isSandbox, forKey: .isSandbox)
            try c.encodeIfPresent(p.namespace, forKey: .namespace)
            try c.encodeIfPresent(p.podName, forKey: .podName)
            try c.encodeIfPresent(p.containerName, forKey: .containerName)
        case .systemdUnit(let slice, let unit):
            try c.encode(slice, forKey: .slice)
            try c.encode(unit, forKey: .unit)
        case .slice(let s):
            try c.encode(s, forKey: .slice)
        case .kubepods(let qos):
            try c.encodeIfPresent(qos, forKey: .qos)
        case .root:
            break
        case .unknown(let p):
            try c.encode(p, forKey: .path)
        }
    }
}
