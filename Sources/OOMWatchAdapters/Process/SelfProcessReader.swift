import Glibc
import OOMWatchCore

/// A snapshot of the daemon's own resource use, as Prometheus' standard `process_*` metrics report it.
public struct SelfProcessSnapshot: Sendable, Equatable {
    public var cpuSeconds: Double
    public var residentMemoryBytes: UInt64
    public var virtualMemoryBytes: UInt64
    public var startTimeSeconds: Double
    public var openFileDescriptors: Int
    public var maxFileDescriptors: Int?
    public var threads: UInt64
}

/// Reads the daemon's own `/proc/self` figures. `procRoot` is injectable for tests.
public struct SelfProcessReader: Sendable {
    public let procRoot: String

    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    /// Reads a snapshot; throws when `/proc/self/stat` is unreadable or malformed.
    public func snapshot() throws -> SelfProcessSnapshot {
        let statBytes = try SmallFile.read("\(procRoot)/self/stat")
        let stat = try ProcessStat(parsing: statBytes)
        let ticks = Double(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        let pageSize = UInt64(max(sysconf(Int32(_SC_PAGESIZE)), 1))
        let bootTime = (try? SmallFile.read("\(procRoot)/stat")).flatMap(Self.bootTimeSeconds(procStat:)) ?? 0
        return SelfProcessSnapshot(
            cpuSeconds: Double(stat.userTicks + stat.systemTicks) / ticks,
            residentMemoryBytes: stat.residentPages * pageSize,
            virtualMemoryBytes: stat.virtualMemoryBytes,
            startTimeSeconds: Double(bootTime) + Double(stat.startTicks) / ticks,
            openFileDescriptors: Self.countEntries(in: "\(procRoot)/self/fd"),
            maxFileDescriptors: Self.softFileLimit(),
            threads: stat.threads
        )
    }

    /// `btime` (boot time, seconds since the epoch) from `/proc/stat`.
    static func bootTimeSeconds(procStat: [UInt8]) -> UInt64? {
        for line in procStat.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("btime ".utf8)) {
            return UInt64(decimal: line.dropFirst(6).filter { $0 != UInt8(ascii: " ") })
        }
        return nil
    }

    static func countEntries(in directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw[0] == UInt8(ascii: ".") && (raw[1] == 0 || (raw[1] == UInt8(ascii: ".") && raw[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return max(count - 1, 0)  // the directory stream itself holds one descriptor
    }

    static func softFileLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(limit.rlim_cur)
    }
}
