import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny C program, compiled with `cc` at test time, that allocates and touches N MiB,
/// prints `ready`, and sleeps until killed. Spawned inside a cgroup so the kernel charges
/// its memory there.
public final class TestAllocator: Sendable {
    /// The compiled binary.
    public let binaryPath: String
    private let directory: String

    static let source = """
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <unistd.h>
    int main(int argc, char **argv) {
        if (argc < 2) return 2;
        size_t mib = strtoull(argv[1], NULL, 10);
        size_t size = mib << 20;
        char *p = malloc(size ? size : 1);
        if (!p) return 3;
        for (size_t i = 0; i < size; i += 4096) p[i] = (char)(i / 4096 + 1);
        printf("ready %zu\\n", mib);
        fflush(stdout);
        for (;;) pause();
    }
    """

    /// Compiles the allocator on a thread of its own (never blocking Swift's cooperative pool).
    public static func make() async throws -> TestAllocator {
        try await Blocking.run { try TestAllocator() }
    }

    /// Compiles the allocator into a fresh temporary directory (blocks until `cc` ends; see `make()`).
    public init() throws {
        var template = Array((NSTemporaryDirectory() + "/oomwatch-alloc-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestHarnessError.system("mkdtemp", errno: errno) }
        directory = String(cString: made)
        let sourcePath = directory + "/alloc.c"
        binaryPath = directory + "/alloc"
        try Self.source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let log = directory + "/cc.log"
        let exit = try ChildProcess("/usr/bin/env", ["cc", "-O1", "-o", binaryPath, sourcePath], outputPath: log).waitForever()
        guard exit == .exited(0) else {
            throw TestHarnessError.compileFailed((try? String(contentsOfFile: log, encoding: .utf8)) ?? "\(exit)")
        }
        unlink(log)
    }

    deinit {
        unlink(binaryPath)
        unlink(directory + "/alloc.c")
        rmdir(directory)
    }

    /// Starts the allocator for `megabytes` MiB. With `cgroupProcsFile`, a shell first writes its
    /// own pid there and then execs the allocator, so every page is charged to that cgroup.
    /// Returns once the memory is touched (`ready` printed) or throws after `timeout` seconds. Waits with
    /// `Task.sleep`, never blocking Swift's cooperative pool.
    public func spawn(megabytes: Int, cgroupProcsFile: String?, timeout: Double = 20) async throws -> AllocatorProcess {
        let arguments: [String]
        if let procs = cgroupProcsFile {
            arguments = ["-c", "echo $$ > \"$1\" && exec \"$2\" \"$3\"", "sh", procs, binaryPath, String(megabytes)]
        } else {
            arguments = ["-c", "exec \"$1\" \"$2\"", "sh", binaryPath, String(megabytes)]
        }
        let outputPath = directory + "/out-\(UUID().uuidString.prefix(8))"
        let process = try ChildProcess("/bin/sh", arguments, outputPath: outputPath)
        let handle = AllocatorProcess(process: process, outputPath: outputPath)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if handle.output.hasPrefix("ready") { return handle }
            if let exit = process.exitStatus {
                throw TestHarnessError.allocatorNotReady("allocator ended (\(exit)) before it was ready: \(handle.output.debugDescription)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        handle.kill()
        throw TestHarnessError.allocatorNotReady("no 'ready' within \(timeout) s; output \(handle.output.debugDescription)")
    }
}

/// A running allocator; killed (and reaped) when released.
public final class AllocatorProcess: @unchecked Sendable {
    public let process: ChildProcess
    private let outputPath: String
    public var pid: Int32 { process.pid }

    init(process: ChildProcess, outputPath: String) {
        self.process = process
        self.outputPath = outputPath
    }

    /// What the allocator printed so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// SIGKILL, then waits for the exit.
    public func kill() {
        process.kill()
    }

    deinit {
        kill()
        unlink(outputPath)
    }
}

extension TestAllocator {
    /// A copy of the allocator named `name` (the kernel reports a process by its executable's name, so an
    /// OOM kill of it reads like one of `haproxy` or `java`).
    public func binary(named name: String) throws -> String {
        let path = (binaryPath as NSString).deletingLastPathComponent + "/" + name
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.copyItem(atPath: binaryPath, toPath: path)
        }
        return path
    }

    /// Runs the allocator as `name` inside the cgroup whose `cgroup.procs` is given, asking for
    /// `megabytes`, and waits until it ends (the OOM killer is expected to end it). Returns its pid and
    /// how it ended, or nil if it was still running after `timeout` (it is then killed). With `fullReport`,
    /// first waits until the kernel's rate limit cannot suppress the report naming the cgroups.
    public func runUntilKilled(named name: String, megabytes: Int, cgroupProcsFile: String, timeout: Duration = .seconds(30), fullReport: Bool = true) async throws -> (pid: Int32, exit: ChildProcess.Exit?) {
        // Most tests check what the kernel's full report says (the cgroups); bursts opt out.
        if fullReport { await KernelReportRateLimit.awaitFullReport() }
        let executable = try binary(named: name)
        let process = try ChildProcess("/bin/sh", ["-c", "echo $$ > \"$1\" && exec \"$2\" \"$3\"", "sh", cgroupProcsFile, executable, String(megabytes)])
        let exit = await process.wait(timeout: timeout)
        if exit == nil { process.kill() }
        KernelReportRateLimit.recordKill()
        return (process.pid, exit)
    }
}
