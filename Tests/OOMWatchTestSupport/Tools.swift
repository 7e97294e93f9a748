import Foundation
import Glibc

/// Finds and runs external tools (promtool, journalctl, ...) for tests.
public enum Tools {
    /// The full path of `name` on PATH (plus /usr/sbin and /lib/systemd), or nil.
    public static func path(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin:/lib/systemd"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static func available(_ name: String) -> Bool { path(name) != nil }

    /// Whether this process has `capability` (a bit number, e.g. 24 = CAP_SYS_RESOURCE) in its effective set.
    public static func hasCapability(_ capability: Int) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.split(separator: "\t").last ?? "", radix: 16) else { return false }
        return mask & (1 << UInt64(capability)) != 0
    }

    /// CAP_SYS_RESOURCE: needed to lower oom_score_adj below its inherited minimum. Sandboxes may drop it
    /// even for root (this VM's root has every capability but this one).
    public static var hasCapSysResource: Bool { hasCapability(24) }

    /// Whether the tests run as root (needed for cgroups, /dev/kmsg, journald).
    public static var isRoot: Bool { geteuid() == 0 }

    /// Runs a tool to completion; returns its exit status and combined output.
    public static func run(_ name: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> (status: Int32, output: String) {
        try runWithEnvironment(name, arguments, environment: [:], stdin: stdin)
    }

    /// Runs a tool with extra environment variables (and no inherited OOMWATCH_* ones).
    public static func runWithEnvironment(_ name: String, _ arguments: [String], environment: [String: String], stdin: [UInt8]? = nil) throws -> (status: Int32, output: String) {
        guard let executable = path(name) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name]) }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OOMWATCH_") }
        for (key, value) in environment { env[key] = value }
        let outputPath = NSTemporaryDirectory() + "oomwatch-tool-\(getpid())-\(UUID().uuidString.prefix(8)).out"
        let inputPath = outputPath + ".in"
        defer { unlink(outputPath); unlink(inputPath) }
        var program = executable
        var args = arguments
        if let stdin {
            // Standard input comes from a file, redirected by the shell.
            _ = FileManager.default.createFile(atPath: inputPath, contents: Data(stdin))
            program = "/bin/sh"
            args = ["-c", "exec \"$0\" \"$@\" < \"\(inputPath)\"", executable] + arguments
        }
        let exit = try ChildProcess(program, args, environment: env, outputPath: outputPath).waitForever()
        return (exit.code, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }
}
