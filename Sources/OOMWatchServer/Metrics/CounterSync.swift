import Prometheus
import Synchronization

/// Mirrors a monotonically increasing value that someone else counts (the kernel's failcnt, the process'
/// CPU time) into a Prometheus counter. A value lower than the last one means the source was reset
/// (a cgroup re-created): the counter resets too, which `rate()` and `increase()` handle.
final class CounterSync: Sendable {
    let counter: Counter
    private let last = Mutex<Double?>(nil)

    init(_ counter: Counter) {
        self.counter = counter
    }

    func set(_ value: Double) {
        last.withLock { last in
            if let previous = last, value >= previous {
                if value > previous { counter.increment(by: value - previous) }
            } else {
                counter.reset()
                if value > 0 { counter.increment(by: value) }
            }
            last = value
        }
    }
}
