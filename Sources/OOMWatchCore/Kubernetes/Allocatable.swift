/// Node Allocatable memory as kubelet computes it:
/// capacity − kube-reserved − system-reserved − hard eviction threshold (never below zero).
public struct Allocatable: Sendable, Hashable, Codable {
    /// Node memory capacity (MemTotal), bytes.
    public var capacityBytes: Int64
    /// `kubeReserved` memory, bytes (0 when not reserved).
    public var kubeReservedBytes: Int64
    /// `systemReserved` memory, bytes (0 when not reserved).
    public var systemReservedBytes: Int64
    /// `evictionHard["memory.available"]` resolved against capacity, bytes (0 when none).
    public var evictionHardBytes: Int64
    /// Memory available to pods, bytes.
    public var allocatableBytes: Int64

    public init(capacityBytes: Int64, kubeReservedBytes: Int64, systemReservedBytes: Int64, evictionHardBytes: Int64, allocatableBytes: Int64) {
        self.capacityBytes = capacityBytes
        self.kubeReservedBytes = kubeReservedBytes
        self.systemReservedBytes = systemReservedBytes
        self.evictionHardBytes = evictionHardBytes
        self.allocatableBytes = allocatableBytes
    }

    /// Computes Allocatable for a node with `capacity` bytes of memory under `config`.
    public static func compute(capacity: Int64, config: KubeletConfiguration) -> Allocatable {
        let kube = max(0, config.kubeReservedMemoryBytes ?? 0)
        let system = max(0, config.systemReservedMemoryBytes ?? 0)
        let eviction = max(0, config.evictionHardMemoryAvailable?.bytes(ofCapacity: capacity) ?? 0)
        let (afterKube, o1) = capacity.subtractingReportingOverflow(kube)
        let (afterSystem, o2) = afterKube.subtractingReportingOverflow(system)
        let (remaining, o3) = afterSystem.subtractingReportingOverflow(eviction)
        let allocatable = (o1 || o2 || o3) ? 0 : max(0, remaining)
        return Allocatable(
            capacityBytes: capacity,
            kubeReservedBytes: kube,
            systemReservedBytes: system,
            evictionHardBytes: eviction,
            allocatableBytes: allocatable
        )
    }
}
