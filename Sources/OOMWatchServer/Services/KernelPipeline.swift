import Logging
import OOMWatchCore
import Synchronization

/// Turns kernel lines from one source into node events: assembles kills, tells replayed ones from new
/// ones, records them in the node state and counts the new ones. Fed by the source's reader; `tick`
/// releases kills held for trailing `oom_reaper` lines once `hold` has passed.
final class KernelPipeline: Sendable {
    private struct State {
        var assembler: OOMKillAssembler
        var lastPosition: KernelLine?
        var savePosition: KernelLine?
        var countedSinceSave = false
    }

    private let state: Mutex<State>
    private let boundary: CountedBoundary
    private let node: NodeState
    private let metrics: KillMetrics
    private let namer: PodNamer?
    private let logger: Logger
    private let hierarchyPrefix: String
    let holdMicros: Int64

    init(boundary: CountedBoundary, node: NodeState, metrics: KillMetrics, namer: PodNamer?, logger: Logger, holdMicros: Int64 = 250_000,
         hierarchyPrefix: String = "") {
        var configuration = OOMKillAssembler.Configuration()
        configuration.holdMicros = holdMicros
        self.state = Mutex(State(assembler: OOMKillAssembler(configuration: configuration)))
        self.boundary = boundary
        self.node = node
        self.metrics = metrics
        self.namer = namer
        self.logger = logger
        self.hierarchyPrefix = hierarchyPrefix
        self.holdMicros = holdMicros
    }

    /// Feeds one line in source order.
    func ingest(_ line: KernelLine) {
        let events = state.withLock { state in
            let events = state.assembler.feed(line)
            state.lastPosition = line
            return events
        }
        handle(events)
        markSafePosition()
    }

    /// Releases held kills whose kernel time is older than `nowMonotonicMicros - hold`.
    func tick(nowMonotonicMicros: Int64) {
        let events = state.withLock { $0.assembler.flush(olderThanMonotonicMicros: nowMonotonicMicros - holdMicros) }
        handle(events)
        markSafePosition()
    }

    /// Releases everything (the source ended).
    func finish() {
        let events = state.withLock { $0.assembler.finish() }
        handle(events)
        markSafePosition()
    }

    /// The last line after which nothing was pending, and whether a kill was counted since it was last
    /// taken; the caller persists it. Taking it resets the flag.
    func takePositionToSave() -> (line: KernelLine, urgent: Bool)? {
        state.withLock { state in
            guard let line = state.savePosition else { return nil }
            let urgent = state.countedSinceSave
            state.savePosition = nil
            state.countedSinceSave = false
            return (line, urgent)
        }
    }

    /// Whether kills or reports are held, waiting for their last lines or for `tick` to release them.
    var isHolding: Bool {
        state.withLock { state in
            let pending = state.assembler.pendingCount
            return pending.reports > 0 || pending.kills > 0
        }
    }

    /// Assembler counters, for logs and tests.
    var counters: OOMKillAssembler.Counters { state.withLock { $0.assembler.counters } }

    private func markSafePosition() {
        state.withLock { state in
            let pending = state.assembler.pendingCount
            if pending.reports == 0, pending.kills == 0, let last = state.lastPosition {
                state.savePosition = last
            }
        }
    }

    private func handle(_ events: [KernelEvent]) {
        for event in events {
            switch event {
            case .kill(let assembled):
                // A nested node (--cgroup-hierarchy-prefix) reads its host's kernel log: kills in other
                // nodes' cgroups are not this node's.
                guard assembled.isWithin(hierarchyPrefix: hierarchyPrefix) else {
                    logger.debug("OOM kill outside this node's cgroup hierarchy", metadata: [
                        "victim": "\(assembled.victim.comm.display)", "cgroup": "\(assembled.taskCgroup ?? assembled.limitCgroup ?? "")",
                    ])
                    continue
                }
                let kill = namer?.name(assembled) ?? assembled
                let replayed = boundary.alreadyCounted(realtimeMicros: kill.realtimeMicros, monotonicMicros: kill.monotonicMicros, bootID: kill.bootID)
                guard node.record(.kill(kill, replayed: replayed)) else { continue }
                if !replayed {
                    metrics.record(kill)
                    state.withLock { $0.countedSinceSave = true }
                    logger.notice("OOM kill", metadata: [
                        "victim": "\(kill.victim.comm.display)", "pid": "\(kill.victim.pid)", "owner": "\(kill.owner.displayName)",
                        "constraint": "\(kill.constraint.rawValue)", "limit_cgroup": "\(kill.limitCgroup ?? "")",
                        "anon_rss_kb": "\(kill.victim.anonRssKB.map(String.init) ?? "")",
                    ])
                }
            case .kernelError(let error):
                let replayed = boundary.alreadyCounted(realtimeMicros: error.realtimeMicros, monotonicMicros: error.monotonicMicros, bootID: error.bootID)
                if node.record(.kernelError(error, replayed: replayed)), !replayed {
                    logger.error("kernel error", metadata: ["kind": "\(error.kind)", "message": "\(error.message)"])
                }
            case .skippedVictim(let skipped):
                logger.debug("OOM victim already exiting", metadata: ["pid": "\(skipped.pid)", "comm": "\(skipped.comm.display)"])
            }
        }
    }
}
