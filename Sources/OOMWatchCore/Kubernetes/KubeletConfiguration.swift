/// Why kubelet settings could not be interpreted.
public struct KubeletConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The setting, e.g. `systemReserved.memory` or `evictionHard.memory.available`.
    public let field: String
    /// The quantity problem.
    public let quantityError: QuantityError

    public init(field: String, quantityError: QuantityError) {
        self.field = field
        self.quantityError = quantityError
    }

    public var description: String { "kubelet setting \(field): \(quantityError)" }
}

/// The kubelet's memory-related node configuration, interpreted: reservations in bytes,
/// the cgroups kubelet limits, and what it enforces. Built from the configuration file and
/// the command-line flags (flags win) with `resolve(file:flags:)`.
public struct KubeletConfiguration: Sendable, Hashable, Codable {
    /// What kubelet enforces (`pods`, `system-reserved`, `kube-reserved`, `*-compressible`, `none`). Default `[pods]`.
    public var enforceNodeAllocatable: [String]
    /// `systemReserved` memory in bytes, nil when not reserved.
    public var systemReservedMemoryBytes: Int64?
    /// `kubeReserved` memory in bytes, nil when not reserved.
    public var kubeReservedMemoryBytes: Int64?
    /// `systemReservedCgroup`, normalised to start with `/`; nil when unset.
    public var systemReservedCgroup: String?
    /// `kubeReservedCgroup`, normalised to start with `/`; nil when unset.
    public var kubeReservedCgroup: String?
    /// `evictionHard["memory.available"]`; nil when the configured map has no memory signal.
    /// kubelet's default (`100Mi`) applies when `evictionHard` is not configured at all.
    public var evictionHardMemoryAvailable: MemoryThreshold?
    /// `cgroupDriver`: `cgroupfs` (kubelet's default) or `systemd`.
    public var cgroupDriver: String
    /// `failSwapOn` (default true).
    public var failSwapOn: Bool
    /// `memorySwap.swapBehavior`, when set.
    public var swapBehavior: String?
    /// Settings whose value came from kubelet's command line rather than its configuration file.
    public var fromFlags: [String]

    /// kubelet's default `evictionHard["memory.available"]`.
    public static let defaultEvictionHardMemoryAvailable = MemoryThreshold.bytes(100 * 1024 * 1024)

    public init(
        enforceNodeAllocatable: [String] = ["pods"],
        systemReservedMemoryBytes: Int64? = nil,
        kubeReservedMemoryBytes: Int64? = nil,
        systemReservedCgroup: String? = nil,
        kubeReservedCgroup: String? = nil,
        evictionHardMemoryAvailable: MemoryThreshold? = KubeletConfiguration.defaultEvictionHardMemoryAvailable,
        cgroupDriver: String = "cgroupfs",
        failSwapOn: Bool = true,
        swapBehavior: String? = nil,
        fromFlags: [String] = []
    ) {
        self.enforceNodeAllocatable = enforceNodeAllocatable
        self.systemReservedMemoryBytes = systemReservedMemoryBytes
        self.kubeReservedMemoryBytes = kubeReservedMemoryBytes
        self.systemReservedCgroup = systemReservedCgroup.map(Self.normalizedCgroup)
        self.kubeReservedCgroup = kubeReservedCgroup.map(Self.normalizedCgroup)
        self.evictionHardMemoryAvailable = evictionHardMemoryAvailable
        self.cgroupDriver = cgroupDriver
        self.failSwapOn = failSwapOn
        self.swapBehavior = swapBehavior
        self.fromFlags = fromFlags
    }

    /// Interprets `file` (the configuration file's settings, nil when there is none) with `flags`
    /// applied over it, field by field, as kubelet does.
    public static func resolve(
        file: KubeletSettings?,
        flags: KubeletSettings? = nil
    ) throws(KubeletConfigurationError) -> KubeletConfiguration {
        let base = file ?? KubeletSettings()
        let overrides = flags ?? KubeletSettings()
        let merged = base.overlaid(by: overrides)

        let systemReserved = try memoryQuantity(merged.systemReserved, field: "systemReserved")
        let kubeReserved = try memoryQuantity(merged.kubeReserved, field: "kubeReserved")
        var eviction: MemoryThreshold? = defaultEvictionHardMemoryAvailable
        if let map = merged.evictionHard {
            if let text = map["memory.available"] {
                do {
                    eviction = try MemoryThreshold.parse(text)
                } catch {
                    throw KubeletConfigurationError(field: "evictionHard.memory.available", quantityError: error)
                }
            } else {
                eviction = nil
            }
        }
        let enforce = (merged.enforceNodeAllocatable ?? ["pods"])
            .map { $0.trimmedSpaces() }
            .filter { !$0.isEmpty }
        return KubeletConfiguration(
            enforceNodeAllocatable: enforce,
            systemReservedMemoryBytes: systemReserved,
            kubeReservedMemoryBytes: kubeReserved,
            systemReservedCgroup: merged.systemReservedCgroup.flatMap { $0.trimmedSpaces().isEmpty ? nil : $0.trimmedSpaces() },
            kubeReservedCgroup: merged.kubeReservedCgroup.flatMap { $0.trimmedSpaces().isEmpty ? nil : $0.trimmedSpaces() },
            evictionHardMemoryAvailable: eviction,
            cgroupDriver: merged.cgroupDriver.flatMap { $0.isEmpty ? nil : $0 } ?? "cgroupfs",
            failSwapOn: merged.failSwapOn ?? true,
            swapBehavior: merged.swapBehavior.flatMap { $0.isEmpty ? nil : $0 },
            fromFlags: overrides.setFieldNames
        )
    }

    /// True when kubelet writes `systemReserved` memory as a hard limit onto `systemReservedCgroup`
    /// (`system-reserved` in `enforceNodeAllocatable`; the `-compressible` variant enforces CPU only).
    public var enforcesSystemReservedMemory: Bool {
        enforceNodeAllocatable.contains("system-reserved") && systemReservedCgroup != nil
    }

    /// True when kubelet writes `kubeReserved` memory as a hard limit onto `kubeReservedCgroup`.
    public var enforcesKubeReservedMemory: Bool {
        enforceNodeAllocatable.contains("kube-reserved") && kubeReservedCgroup != nil
    }

    /// The memory limit kubelet enforces on the cgroup at `path` (e.g. `/system.slice`), if any.
    public func enforcedMemoryLimit(onCgroup path: String) -> (setting: ReservationKind, bytes: Int64?)? {
        let normalized = Self.normalizedCgroup(path)
        if enforcesSystemReservedMemory, systemReservedCgroup == normalized {
            return (.systemReserved, systemReservedMemoryBytes)
        }
        if enforcesKubeReservedMemory, kubeReservedCgroup == normalized {
            return (.kubeReserved, kubeReservedMemoryBytes)
        }
        return nil
    }

    /// The two reservations kubelet can enforce on a cgroup.
    public enum ReservationKind: String, Sendable, Codable {
        case systemReserved = "system-reserved"
        case kubeReserved = "kube-reserved"

        /// The configuration-file name of the reservation (`systemReserved`).
        public var settingName: String { self == .systemReserved ? "systemReserved" : "kubeReserved" }
        /// The configuration-file name of its cgroup (`systemReservedCgroup`).
        public var cgroupSettingName: String { self == .systemReserved ? "systemReservedCgroup" : "kubeReservedCgroup" }
    }

    /// A cgroup path with exactly one leading `/` and no trailing `/` (`system.slice/` → `/system.slice`).
    public static func normalizedCgroup(_ path: String) -> String {
        var trimmed = Substring(path.trimmedSpaces())
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return "/" + trimmed
    }

    private static func memoryQuantity(_ map: [String: String]?, field: String) throws(KubeletConfigurationError) -> Int64? {
        guard let text = map?["memory"] else { return nil }
        do {
            return try MemoryQuantity.bytes(text)
        } catch {
            throw KubeletConfigurationError(field: "\(field).memory", quantityError: error)
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate func trimmedSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
