/// The owner labels every per-cgroup and per-kill series carries (empty strings where they do not
/// apply), so series join with kube-state-metrics and kubelet metrics on namespace/pod/container.
public struct OwnerLabels: Sendable, Hashable, Codable {
    public var ownerKind: String
    public var slice: String
    public var namespace: String
    public var pod: String
    public var container: String
    public var qos: String
    public var unit: String

    /// The label names, in the order `values` lists them.
    public static let names = ["owner_kind", "slice", "namespace", "pod", "container", "qos", "unit"]

    /// Labels from their values (empty strings where they do not apply).
    public init(ownerKind: String, slice: String = "", namespace: String = "", pod: String = "", container: String = "", qos: String = "", unit: String = "") {
        self.ownerKind = ownerKind
        self.slice = slice
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.qos = qos
        self.unit = unit
    }

    public init(_ owner: CgroupOwner) {
        ownerKind = owner.kind
        slice = ""
        namespace = ""
        pod = ""
        container = ""
        qos = ""
        unit = ""
        switch owner {
        case .pod(let ref):
            slice = "kubepods"
            namespace = ref.namespace ?? ""
            pod = ref.podName ?? ref.podUID
            // cAdvisor's name for the sandbox container is "POD".
            container = ref.containerName ?? (ref.isSandbox ? "POD" : ref.containerID.map { String($0.prefix(12)) }) ?? ""
            qos = ref.qos.rawValue
        case .systemdUnit(let parent, let name):
            slice = parent
            unit = name
        case .slice(let name):
            slice = name
        case .kubepods(let tier):
            slice = "kubepods"
            qos = tier?.rawValue ?? ""
        case .root, .unknown:
            break
        }
    }

    /// Label values in the order of `names`.
    public var values: [String] { [ownerKind, slice, namespace, pod, container, qos, unit] }

    /// (name, value) pairs for a metrics registry.
    public var pairs: [(String, String)] { Array(zip(Self.names, values)) }
}
