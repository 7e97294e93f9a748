import OOMWatchCore

/// The node's memory figures from the latest poll: `/proc/meminfo` and the root cgroup's sample.
public struct LatestNodeMemory: Sendable, Hashable {
    /// `/proc/meminfo`, nil when it could not be read.
    public var meminfo: NodeMemoryInfo?
    /// The root cgroup's sample, nil when the root is not tracked (a nested node's prefix).
    public var rootSample: MemorySample?
}
