import Foundation
import Glibc

/// The real `oomwatch` binary started as a child process on 127.0.0.1 for end-to-end tests.
public final class DaemonProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    public let logPath: String

    /// Starts `oomwatch run` with `arguments` (plus `--listen 127.0.0.1:<free port>`), waits until
    /// `/healthz` answers, and returns it. Its log goes to a temporary file (see `log`).
    public static func start(_ arguments: [String] = [], environment: [String: String] = [:], port: Int? = nil) async throws -> DaemonProcess {
        let port = try port ?? FreePort.pick()
        let binary = BuildProducts.executable("oomwatch")
        let logPath = NSTemporaryDirectory() + "oomwatch-e2e-\(getpid())-\(port)-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--listen", "127.0.0.1:\(port)"] + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OOMWATCH_") }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let daemon = DaemonProcess(process: process, port: port, logPath: logPath)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                throw LoopbackClient.Failure(description: "oomwatch exited with \(process.terminationStatus): \(daemon.log)")
            }
            if let response = try? await LoopbackClient.get(port: port, path: "/healthz"), response.status == 200 {
                return daemon
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        daemon.kill()
        throw LoopbackClient.Failure(description: "oomwatch did not answer /healthz within 20 s: \(daemon.log)")
    }

    init(process: Process, port: Int, logPath: String) {
        self.process = process
        self.port = port
        self.logPath = logPath
    }

    /// What the daemon has logged so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` and waits up to `timeout` for the exit; returns the exit status, or nil if it is
    /// still running (it is then killed).
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        Glibc.kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning {
            kill()
            return nil
        }
        return process.terminationStatus
    }

    /// Kills the daemon without a graceful shutdown.
    public func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
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
