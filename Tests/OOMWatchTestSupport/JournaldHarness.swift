import Foundation
import OOMWatchAdapters
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a real systemd-journald for live tests: reuses a running one (never stops or signals it),
/// or starts `/lib/systemd/systemd-journald` by hand and stops it by its own pid.
///
/// What journald 252 needs to run by hand (no systemd as PID 1): root; nothing else — it creates
/// `/run/systemd/journal/{socket,stdout,dev-log,io.systemd.journal}` itself when not socket-activated,
/// reads `/dev/kmsg` (remembering the last sequence in `/run/systemd/journal/kernel-seqnum`),
/// and with `Storage=auto` and no `/var/log/journal` writes volatile files to
/// `/run/log/journal/<machine-id>/`. It reports readiness with `READY=1` on `$NOTIFY_SOCKET`, which
/// the harness uses instead of polling for sockets (stale socket files survive a crash).
public final class JournaldHarness: @unchecked Sendable {
    /// The journald executable.
    public static let executable = "/lib/systemd/systemd-journald"

    /// True when running as root.
    public static var isRoot: Bool { geteuid() == 0 }

    /// True when live journald tests can run here (root, the binary exists, /dev/kmsg writable).
    public static var isAvailable: Bool {
        isRoot && access(executable, X_OK) == 0 && access("/dev/kmsg", W_OK) == 0
    }

    /// Why live tests are skipped here, for the skip message.
    public static var unavailableReason: String {
        if !isRoot { return "live journald tests need root" }
        if access(executable, X_OK) != 0 { return "\(executable) is not installed" }
        return "/dev/kmsg is not writable"
    }

    /// The pid of journald while it runs.
    public private(set) var pid: pid_t
    /// True when this harness started journald (and so may stop, kill and restart it).
    public let ownsProcess: Bool
    /// Where journald's own stderr goes (only for a journald this harness started).
    public let logPath: String?
    private let workDirectory: String

    private init(pid: pid_t, ownsProcess: Bool, workDirectory: String, logPath: String?) {
        self.pid = pid
        self.ownsProcess = ownsProcess
        self.workDirectory = workDirectory
        self.logPath = logPath
    }

    deinit {
        if ownsProcess { stopOwnedProcess() }
        if ownsProcess { _ = try? FileManager.default.removeItem(atPath: workDirectory) }
    }

    /// Reuses the running journald or starts one; waits until it reports READY=1.
    public static func startOrReuse(timeoutSeconds: Double = 10) throws -> JournaldHarness {
        if let running = runningJournaldPID() {
            return JournaldHarness(pid: running, ownsProcess: false, workDirectory: "", logPath: nil)
        }
        let work = NSTemporaryDirectory() + "oomwatch-journald-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let log = work + "/journald.log"
        let pid = try spawn(workDirectory: work, logPath: log, timeoutSeconds: timeoutSeconds)
        return JournaldHarness(pid: pid, ownsProcess: true, workDirectory: work, logPath: log)
    }

    /// The machine's volatile journal directory journald writes to (`/run/log/journal/<machine-id>`).
    public static var runtimeJournalDirectory: String {
        let machineID = (try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return "/run/log/journal/" + machineID
    }

    /// Kills journald with SIGKILL (a crash), waits for it, and starts a new one. Only for an owned process.
    /// The waiting runs on a thread of its own, never on Swift's cooperative pool (in-process daemons of
    /// other suites need it).
    public func crashAndRestart(timeoutSeconds: Double = 10) async throws {
        try await Blocking.run { try self.crashAndRestartBlocking(timeoutSeconds: timeoutSeconds) }
    }

    private func crashAndRestartBlocking(timeoutSeconds: Double) throws {
        guard ownsProcess else { throw HarnessError.notOwned }
        kill(pid, SIGKILL)
        Self.reap(pid, timeoutSeconds: 5)
        pid = try Self.spawn(workDirectory: workDirectory, logPath: logPath ?? "/dev/null", timeoutSeconds: timeoutSeconds)
    }

    /// Asks journald to rotate its files (SIGUSR2). Only for an owned process.
    public func rotate() throws {
        guard ownsProcess else { throw HarnessError.notOwned }
        kill(pid, SIGUSR2)
    }

    /// Stops an owned journald (SIGTERM, then SIGKILL after 5 s). Does nothing for a reused one.
    public func stop() {
        if ownsProcess { stopOwnedProcess() }
    }

    private var stopped = false
    private func stopOwnedProcess() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        if !Self.reap(pid, timeoutSeconds: 5) {
            kill(pid, SIGKILL)
            Self.reap(pid, timeoutSeconds: 5)
        }
    }

    /// Writes one line to /dev/kmsg; journald stores it with `_TRANSPORT=kernel`. The newline
    /// matters: without it the kernel keeps the text as an unfinished (continuation) record until
    /// the next write, and neither readers of /dev/kmsg nor journald see it.
    public static func writeKernelMessage(_ text: String) throws {
        let descriptor = open("/dev/kmsg", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw HarnessError.system("open /dev/kmsg", errno) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8) + (text.hasSuffix("\n") ? [] : [UInt8(ascii: "\n")])
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw HarnessError.system("write /dev/kmsg", errno) }
    }

    /// The pid of a running systemd-journald (comm is truncated to 15 characters), if any.
    public static func runningJournaldPID() -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry),
                  let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8)
            else { continue }
            // comm is cut at 15 bytes: "systemd-journal" is also systemd-journal-remote (used by the
            // fixture tests at the same time); the executable's path tells them apart.
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/exe")) ?? ""
            if comm.trimmingCharacters(in: .whitespacesAndNewlines) == "systemd-journal", executable.hasSuffix("/systemd-journald") {
                // A zombie (our own dead child not yet reaped) does not count.
                if let status = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                   status.contains(") Z ") { continue }
                return pid
            }
        }
        return nil
    }

    /// Errors of the harness.
    public enum HarnessError: Error, CustomStringConvertible {
        case system(String, Int32)
        case notReady(String)
        case notOwned

        public var description: String {
            switch self {
            case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
            case .notReady(let why): "journald did not become ready: \(why)"
            case .notOwned: "journald was not started by this harness; refusing to signal it"
            }
        }
    }

    private static func spawn(workDirectory: String, logPath: String, timeoutSeconds: Double) throws -> pid_t {
        let notifyPath = workDirectory + "/notify-\(UInt32.random(in: 0...UInt32.max))"
        let socketFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { throw HarnessError.system("socket", errno) }
        defer { close(socketFD); unlink(notifyPath) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(notifyPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw HarnessError.notReady("notify path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
            raw[pathBytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw HarnessError.system("bind \(notifyPath)", errno) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process (a test daemon's connection stayed open for the life of a Prometheus
        // server started meanwhile, which had inherited it).
        SpawnFileActions.closeInherited(&actions)

        let arguments = [executable]
        let environment = [
            "NOTIFY_SOCKET=\(notifyPath)",
            "SYSTEMD_LOG_TARGET=console",
            "SYSTEMD_LOG_LEVEL=info",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, &argv, &envp)
        guard result == 0 else { throw HarnessError.system("posix_spawn \(executable)", result) }

        // Wait for READY=1.
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var request = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
            if poll(&request, 1, 100) > 0 {
                let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
                if count > 0, String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").contains("READY=1") {
                    return pid
                }
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw HarnessError.notReady("exited with status \(status): \(log.suffix(2000))")
            }
        }
        kill(pid, SIGKILL)
        reap(pid, timeoutSeconds: 5)
        throw HarnessError.notReady("no READY=1 within \(timeoutSeconds) s")
    }

    @discardableResult
    private static func reap(_ pid: pid_t, timeoutSeconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var status: Int32 = 0
        while Date() < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) { return true }
            usleep(10_000)
        }
        return false
    }
}
