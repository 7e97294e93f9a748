#if canImport(Glibc)
import Glibc
#endif
import OOMWatchTestSupport

/// How a busy node's container memory moves between two 5-second polls, as a seeded random walk in 4 KiB
/// pages around the level each cgroup started at: a step of up to ±1 MiB 90 % of the time, ±32 MiB 9 %,
/// ±256 MiB 1 %, then a sixteenth of the way back to the level (a spike fades over a minute or two); kept
/// between 4 MiB and 16 GiB. The history stores differences between samples, so its size depends on this:
/// values that never moved would flatter it.
struct UsageWalk {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The next value after `pages`, for a cgroup whose level is `level` pages.
    mutating func next(_ pages: UInt64, level: UInt64) -> UInt64 {
        let draw = generator.next() % 100
        let reach: UInt64 = draw < 90 ? 256 : draw < 99 ? 8192 : 65_536
        let step = Int64(generator.next() % (2 * reach + 1)) - Int64(reach)
        let back = (Int64(level) - Int64(pages)) / 16
        return UInt64(min(max(Int64(pages) + step + back, 1024), 4 << 20))
    }
}

/// Moves `memory.usage_in_bytes` of every pod and container of a fixture tree along a `UsageWalk`, each
/// file replaced whole (written aside, then renamed over it) so the daemon never reads half a value.
/// The working set follows: it is usage minus the unchanged inactive file pages of `memory.stat`.
struct FixtureChurn {
    private var cgroups: [(directory: String, level: UInt64, pages: UInt64)]
    private var walk = UsageWalk(seed: 0x6F6F_6D77)

    /// The pods and containers among `relative` (paths below `<root>/memory`, as `buildTree` returns them),
    /// starting from the usage `buildTree` wrote.
    init(root: String, relative: [String]) {
        cgroups = relative.enumerated().compactMap { index, path in
            guard path.hasPrefix("kubepods/"), path.contains("/pod") else { return nil }
            return (root + "/memory/" + path, UInt64(index + 1) * 256, UInt64(index + 1) * 256)
        }
    }

    /// Cgroups moved by each step.
    var count: Int { cgroups.count }

    /// One step of every cgroup's walk; returns how many files could not be replaced.
    mutating func step() -> Int {
        var failed = 0
        for index in cgroups.indices {
            let pages = walk.next(cgroups[index].pages, level: cgroups[index].level)
            cgroups[index].pages = pages
            let target = cgroups[index].directory + "/memory.usage_in_bytes"
            let aside = cgroups[index].directory + "/.usage.next"
            let text = Array("\(pages * 4096)\n".utf8)
            let fd = open(aside, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                failed += 1
                continue
            }
            let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            if written != text.count || rename(aside, target) != 0 { failed += 1 }
        }
        return failed
    }
}
