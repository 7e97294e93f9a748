/// The kubelet settings oomwatch cares about, as text, exactly as found in one source
/// (the configuration file or the command line). `nil` means "not set by this source".
/// Two sources are combined with `overlaid(by:)`; `KubeletConfiguration` interprets the result.
public struct KubeletSettings: Sendable, Hashable, Codable {
    /// `enforceNodeAllocatable` / `--enforce-node-allocatable`: `pods`, `system-reserved`, `kube-reserved`, ….
    public var enforceNodeAllocatable: [String]?
    /// `systemReserved` / `--system-reserved`: resource name → quantity text.
    public var systemReserved: [String: String]?
    /// `kubeReserved` / `--kube-reserved`: resource name → quantity text.
    public var kubeReserved: [String: String]?
    /// `systemReservedCgroup` / `--system-reserved-cgroup`, e.g. `/system.slice`.
    public var systemReservedCgroup: String?
    /// `kubeReservedCgroup` / `--kube-reserved-cgroup`, e.g. `/kube.slice`.
    public var kubeReservedCgroup: String?
    /// `evictionHard` / `--eviction-hard`: signal → threshold text (`memory.available` → `100Mi`).
    public var evictionHard: [String: String]?
    /// `cgroupDriver` / `--cgroup-driver`: `cgroupfs` or `systemd`.
    public var cgroupDriver: String?
    /// `failSwapOn` / `--fail-swap-on`.
    public var failSwapOn: Bool?
    /// `memorySwap.swapBehavior`: `NoSwap`, `LimitedSwap`, ….
    public var swapBehavior: String?

    public init(
        enforceNodeAllocatable: [String]? = nil,
        systemReserved: [String: String]? = nil,
        kubeReserved: [String: String]? = nil,
        systemReservedCgroup: String? = nil,
        kubeReservedCgroup: String? = nil,
        evictionHard: [String: String]? = nil,
        cgroupDriver: String? = nil,
        failSwapOn: Bool? = nil,
        swapBehavior: String? = nil
    ) {
        self.enforceNodeAllocatable = enforceNodeAllocatable
        self.systemReserved = systemReserved
        self.kubeReserved = kubeReserved
        self.systemReservedCgroup = systemReservedCgroup
        self.kubeReservedCgroup = kubeReservedCgroup
        self.evictionHard = evictionHard
        self.cgroupDriver = cgroupDriver
        self.failSwapOn = failSwapOn
        self.swapBehavior = swapBehavior
    }

    /// These settings with every field that `overrides` sets replaced by its value, as kubelet
    /// applies command-line flags over its configuration file: a flag replaces the whole field
    /// (a `--system-reserved` flag replaces the whole `systemReserved` map, it is not merged key by key).
    public func overlaid(by overrides: KubeletSettings) -> KubeletSettings {
        KubeletSettings(
            enforceNodeAllocatable: overrides.enforceNodeAllocatable ?? enforceNodeAllocatable,
            systemReserved: overrides.systemReserved ?? systemReserved,
            kubeReserved: overrides.kubeReserved ?? kubeReserved,
            systemReservedCgroup: overrides.systemReservedCgroup ?? systemReservedCgroup,
            kubeReservedCgroup: overrides.kubeReservedCgroup ?? kubeReservedCgroup,
            evictionHard: overrides.evictionHard ?? evictionHard,
            cgroupDriver: overrides.cgroupDriver ?? cgroupDriver,
            failSwapOn: overrides.failSwapOn ?? failSwapOn,
            swapBehavior: overrides.swapBehavior ?? swapBehavior
        )
    }

    /// The configuration-file names of the fields this source sets, in a fixed order.
    public var setFieldNames: [String] {
        var names: [String] = []
        if enforceNodeAllocatable != nil { names.append("enforceNodeAllocatable") }
        if systemReserved != nil { names.append("systemReserved") }
        if kubeReserved != nil { names.append("kubeReserved") }
        if systemReservedCgroup != nil { names.append("systemReservedCgroup") }
        if kubeReservedCgroup != nil { names.append("kubeReservedCgroup") }
        if evictionHard != nil { names.append("evictionHard") }
        if cgroupDriver != nil { names.append("cgroupDriver") }
        if failSwapOn != nil { names.append("failSwapOn") }
        if swapBehavior != nil { names.append("swapBehavior") }
        return names
    }
}
