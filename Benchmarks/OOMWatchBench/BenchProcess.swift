import Foundation
import OOMWatchAdapters
#if canImport(Glibc)
import Glibc
#endif

/// A child process for the benchmarks (posix_spawn, output to a file), with its /proc figures.
final class BenchProcess {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let pid: pid_t
    let name: String
    let logPath: String
    private var reaped = false

    init(name: String, _ executable: String, _ arguments: [String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process (a test daemon's connection stayed open for the life of a Prometheus
        // server started meanwhile, which had inherited it).
        SpawnFileActions.closeInherited(&actions)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OOMWATCH_") }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, env)
        guard result == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
    }

    deinit { stop() }

    var isRunning: Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped = true; return false }
        return true
    }

    /// SIGTERM, then SIGKILL after 5 s; reaps.
    func stop() {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<500 {
            if !isRunning { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        reaped = true
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// `VmRSS` in bytes.
    var residentBytes: Int { ProcFigures.residentBytes(pid: pid) ?? 0 }
    /// `RssAnon` (heap, stacks, relocated data) and `RssFile` (mapped code and constant data) in bytes.
    var residentSplit: (anonymous: Int, file: Int) {
        (ProcFigures.statusBytes(pid: pid, field: "RssAnon") ?? 0, ProcFigures.statusBytes(pid: pid, field: "RssFile") ?? 0)
    }
    /// utime + stime in clock ticks.
    var cpuTicks: Int { ProcFigures.cpuTicks(pid: pid) ?? 0 }
}

/// Figures read from /proc/<pid>.
enum ProcFigures {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func residentBytes(pid: pid_t) -> Int? { statusBytes(pid: pid, field: "VmRSS") }

    /// A size field of `/proc/<pid>/status` (`VmRSS`, `RssAnon`, `RssFile`, …) in bytes.
    static func statusBytes(pid: pid_t, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }

    static func cpuTicks(pid: pid_t) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After comm: field 3 is index 0; utime is field 14, stime field 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}

/// Small helpers shared by the process-level benchmarks.
enum BenchNet {
    /// A free TCP port on 127.0.0.1.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw BenchProcess.Failure(description: "cannot bind a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One `GET path` over a fresh connection; returns the status, body size and seconds taken.
    static func get(port: Int, path: String, timeoutSeconds: Int32 = 10) -> (status: Int, bytes: Int, seconds: Double)? {
        let start = monotonicSeconds()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let seconds = monotonicSeconds() - start
        guard let end = response.indices.first(where: { response[$0...].starts(with: [13, 10, 13, 10]) }) else { return nil }
        let statusLine = String(decoding: response.prefix(32), as: UTF8.self)
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, response.count - end - 4, seconds)
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The `oomwatch` binary next to this benchmark binary (make bench builds both).
    static func oomwatchBinary() throws -> String {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let path = me.deletingLastPathComponent().appendingPathComponent("oomwatch").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchProcess.Failure(description: "\(path) not found: build it with `make release` (make bench does)")
        }
        return path
    }

    static func tool(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw BenchProcess.Failure(description: "\(name) not installed (scripts/install-deps.sh bench installs it)")
    }

    static func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}
