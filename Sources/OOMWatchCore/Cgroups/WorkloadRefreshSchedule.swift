/// Which pods (with their containers) are re-read in a given poll when workloads are sampled less
/// often than the node and its slices. Each pod has a stable slot, so every poll re-reads about
/// 1/`everyPolls` of the pods (an even cost per poll, not a burst every `everyPolls` polls), and each
/// pod is re-read exactly every `everyPolls` polls. A pod never seen before is read at once.
public struct WorkloadRefreshSchedule: Sendable, Hashable {
    /// Polls between two reads of the same pod (1 = every poll).
    public let everyPolls: Int

    /// A schedule re-reading each pod every `everyPolls` polls (at least 1).
    public init(everyPolls: Int) {
        self.everyPolls = max(1, everyPolls)
    }

    /// The schedule for pods re-read every `workloadInterval` when the poll runs every `pollInterval`
    /// (rounded up to whole polls; at least every poll).
    public init(pollInterval: Duration, workloadInterval: Duration) {
        let poll = max(pollInterval, .milliseconds(1))
        self.init(everyPolls: Int((workloadInterval / poll).rounded(.up)))
    }

    /// Every pod in every poll.
    public static let everyPoll = WorkloadRefreshSchedule(everyPolls: 1)

    /// Whether the pod at `podPath` is due in poll number `poll`.
    public func isDue(podPath: String, poll: UInt64) -> Bool {
        everyPolls == 1 || Self.slot(of: podPath, among: everyPolls) == Int(poll % UInt64(everyPolls))
    }

    /// A stable slot in 0..<count: FNV-1a of the path (not Swift's per-process seeded hash), so the
    /// same pod keeps its slot across restarts and tests can predict it.
    public static func slot(of path: String, among count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(max(1, count)))
    }
}
