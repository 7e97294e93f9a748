import Foundation
import OOMWatchAdapters
import Glibc

/// A child process started with `posix_spawn` and reaped with `waitpid`, without Foundation's `Process`
/// (whose `waitUntilExit` can spin forever on a cooperative thread once the child is already gone).
public final class ChildProcess: @unchecked Sendable {
    /// How a child ended.
    public enum Exit: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        /// The exit code, or 128 + the signal number as a shell reports it.
        public var code: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }
        public var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    public let pid: pid_t
    private let lock = NSLock()
    private var exit: Exit?

    /// Starts `executable` with `arguments`; stdout and stderr go to `outputPath` (appended) or /dev/null;
    /// stdin is /dev/null.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, outputPath: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let out = outputPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process (a test daemon's connection stayed open for the life of a Prometheus
        // server started meanwhile, which had inherited it).
        SpawnFileActions.closeInherited(&actions)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = [executable] + arguments
        var child: pid_t = 0
        let result = withCStrings(argv) { argvPointers in
            withCStrings(env) { envPointers in
                posix_spawn(&child, executable, &actions, nil, argvPointers, envPointers)
            }
        }
        guard result == 0 else {
            throw TestHarnessError.system("posix_spawn \(executable)", errno: result)
        }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            Glibc.kill(pid, SIGKILL)
            _ = waitBlocking()
        }
    }

    /// The exit, if the child has ended (reaps it).
    public var exitStatus: Exit? {
        lock.lock()
        defer { lock.unlock() }
        if let exit { return exit }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        exit = Self.decode(status)
        return exit
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Sends a signal (no-op once the child has been reaped).
    public func signal(_ signal: Int32) {
        if exitStatus == nil { Glibc.kill(pid, signal) }
    }

    /// Waits up to `timeout` for the child to end, polling without blocking a cooperative thread.
    public func wait(timeout: Duration) async -> Exit? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exit = exitStatus { return exit }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return exitStatus
    }

    /// Waits up to `timeout` on a thread of its own; returns the exit and the instant it was seen there,
    /// so measured durations do not include how late the awaiting task resumes on a busy pool.
    public func waitTimed(timeout: Duration) async -> (exit: Exit, at: ContinuousClock.Instant)? {
        await Blocking.run {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let exit = self.exitStatus { return (exit, ContinuousClock.now) }
                usleep(1_000)
            }
            return self.exitStatus.map { ($0, ContinuousClock.now) }
        }
    }

    /// Blocks the calling thread until the child ends (use from `Blocking.run`, never on the cooperative pool).
    public func waitForever() -> Exit {
        waitBlocking() ?? .exited(-1)
    }

    /// Kills the child (SIGKILL) and reaps it.
    public func kill() {
        signal(SIGKILL)
        _ = waitBlocking()
    }

    private func waitBlocking() -> Exit? {
        lock.lock()
        defer { lock.unlock() }
        if let exit { return exit }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { exit = Self.decode(status); return exit }
            if result < 0 && errno != EINTR { return nil }
        }
    }

    private static func decode(_ status: Int32) -> Exit {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
