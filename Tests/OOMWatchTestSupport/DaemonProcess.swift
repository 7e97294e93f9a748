import Foundation
import Glibc

/// The real `oomwatch` binary started as a child process on 127.0.0.1 for end-to-end tests.
public final class DaemonProcess: @unchecked Sendable {
    public let process: ChildProcess
    public let port: Int
    public let logPath: String

    /// Starts `oomwatch run` with `arguments` (plus `--listen 127.0.0.1:0`: the kernel picks a free port,
    /// read back from the daemon's log), waits until `/healthz` answers, and returns it. Its log goes to a
    /// temporary file (see `log`). With `shellPrefix`, `/bin/sh` runs those commands first and then execs
    /// the daemon in the same process (e.g. to enter a cgroup or set an inherited `oom_score_adj`), so
    /// `pid` is still the daemon's. `execWrapper` goes between `exec` and the daemon (e.g. `setpriv …`).
    public static func start(_ arguments: [String] = [], environment: [String: String] = [:], shellPrefix: String? = nil, execWrapper: String = "") async throws -> DaemonProcess {
        let binary = BuildProducts.executable("oomwatch")
        let logPath = NSTemporaryDirectory() + "oomwatch-e2e-\(getpid())-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OOMWATCH_") }
        for (key, value) in environment { env[key] = value }
        let daemonArguments = ["run", "--listen", "127.0.0.1:0"] + arguments
        let process: ChildProcess
        if shellPrefix != nil || !execWrapper.isEmpty {
            let script = (shellPrefix.map { $0 + " && " } ?? "") + "exec \(execWrapper) \"$0\" \"$@\""
            process = try ChildProcess("/bin/sh", ["-c", script, binary.path] + daemonArguments,
                                       environment: env, outputPath: logPath)
        } else {
            process = try ChildProcess(binary.path, daemonArguments, environment: env, outputPath: logPath)
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let exit = process.exitStatus {
                throw LoopbackClient.Failure(description: "oomwatch ended (\(exit)): \(log)")
            }
            if let port = boundPort(in: log) {
                let daemon = DaemonProcess(process: process, port: port, logPath: logPath)
                if let response = try? await LoopbackClient.get(port: port, path: "/healthz"), response.status == 200 {
                    return daemon
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let daemon = DaemonProcess(process: process, port: 0, logPath: logPath)
        daemon.kill()
        throw LoopbackClient.Failure(description: "oomwatch did not answer /healthz within 20 s: \(daemon.log)")
    }

    /// The port from the daemon's "HTTP server listening" line (text or JSON log format).
    static func boundPort(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("HTTP server listening") }),
              let range = line.range(of: "port") else { return nil }
        let digits = line[range.upperBound...].drop(while: { !$0.isNumber }).prefix(while: \.isNumber)
        return Int(digits)
    }

    init(process: ChildProcess, port: Int, logPath: String) {
        self.process = process
        self.port = port
        self.logPath = logPath
    }

    /// The daemon's resident set size now (`VmRSS` of `/proc/<pid>/status`), in bytes; nil once it has ended.
    public var residentBytes: Int? { ProcessFigures.residentBytes(pid: process.pid) }

    /// What the daemon has logged so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` and waits up to `timeout` for the exit; returns the exit status, or nil if it is
    /// still running (it is then killed).
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async -> Int32? {
        process.signal(signal)
        switch await process.wait(timeout: timeout) {
        case .exited(let code): return code
        case .signaled(let number): return 128 + number
        case nil:
            kill()
            return nil
        }
    }

    /// Kills the daemon without a graceful shutdown.
    public func kill() {
        process.kill()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

/// Picks a currently free TCP port on 127.0.0.1.
public enum FreePort {
    public static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackClient.Failure(description: "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw LoopbackClient.Failure(description: "bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Figures of a running process read from `/proc/<pid>`.
public enum ProcessFigures {
    /// `VmRSS` of `/proc/<pid>/status`, in bytes.
    public static func residentBytes(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }

    /// The content of `/proc/<pid>/oom_score_adj`.
    public static func oomScoreAdj(pid: Int32) -> Int? {
        (try? String(contentsOfFile: "/proc/\(pid)/oom_score_adj", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
