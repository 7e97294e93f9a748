import Foundation
import OOMWatchTestSupport
import Testing

/// `oomwatch parse` as an operator runs it on a node's saved logs: output formats, standard input,
/// the summary, and the exit codes (0 parsed, 1 an input unreadable, 2 usage).
@Suite("oomwatch parse: the binary over saved logs")
struct ParseCommandTests {
    /// Real kernel lines of three kills on this VM's 6.18 kernel (a unit, a cgroupfs pod, a systemd pod
    /// whose victim's name is not UTF-8).
    static let dmesgFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../OOMWatchCoreTests/Fixtures/real-6.18-dmesg.txt").standardized.path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `oomwatch parse` with standard output and standard error kept apart (stdout not a terminal).
    static func parse(_ arguments: [String], stdin: [UInt8]? = nil) async throws -> Run {
        let errorPath = NSTemporaryDirectory() + "oomwatch-parse-\(UUID().uuidString).err"
        defer { unlink(errorPath) }
        let binary = BuildProducts.executable("oomwatch").path
        let result = try await Blocking.run {
            try Tools.run("/bin/sh", ["-c", "exec \"$0\" parse \"$@\" 2>\"\(errorPath)\"", binary] + arguments, stdin: stdin)
        }
        return Run(status: result.status, stdout: result.output, stderr: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    static func victims(_ jsonLines: String) throws -> [String] {
        try jsonLines.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let victim = try #require(object["victim"] as? [String: Any])
            return try #require(victim["comm"] as? String)
        }
    }

    @Test func jsonIsTheDefaultOffATerminalWithTheSummaryOnStandardError() async throws {
        let run = try await Self.parse([Self.dmesgFixture])
        #expect(run.status == 0, "\(run.stderr)")
        let victims = try Self.victims(run.stdout)
        #expect(victims.count == 3, "one JSON object per kill: \(run.stdout)")
        #expect(victims.prefix(2) == ["haproxy", "my proc (1)"])
        #expect(victims.last?.hasPrefix("bad") == true, "the non-UTF-8 name is kept (escaped): \(victims)")
        #expect(run.stdout.contains("\"owner\":{\"kind\":\"unit\",\"slice\":\"system.slice\",\"unit\":\"haproxy.service\"}"))
        #expect(run.stdout.contains("\"podUID\":\"5e3c4bcb-760b-11e9-bcb4-5c260afbd27c\",\"qos\":\"burstable\""))
        #expect(run.stderr.contains("real-6.18-dmesg.txt: dmesg, 242 lines, 3 kills, 0 kernel errors"), "\(run.stderr)")
        #expect(run.stderr.contains("system.slice/haproxy.service") && run.stderr.contains("3      total"), "summary per owner: \(run.stderr)")
    }

    @Test func standardInputGivesTheSameKills() async throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.dmesgFixture)))
        let fromFile = try await Self.parse([Self.dmesgFixture])
        for arguments in [["-"], []] {
            let fromStdin = try await Self.parse(arguments, stdin: bytes)
            #expect(fromStdin.status == 0)
            #expect(fromStdin.stdout == fromFile.stdout, "\(arguments)")
            #expect(fromStdin.stderr.contains("standard input: dmesg, 242 lines, 3 kills"), "\(fromStdin.stderr)")
        }
    }

    @Test func tableOutputNamesOwnersAndSums() async throws {
        let run = try await Self.parse(["--output", "table", Self.dmesgFixture])
        #expect(run.status == 0)
        let header = try #require(run.stdout.split(separator: "\n").first)
        #expect(header.hasPrefix("TIME") && header.contains("OWNER") && header.contains("VICTIM") && header.contains("LIMIT-CGROUP"))
        #expect(run.stdout.contains("system.slice/haproxy.service"))
        #expect(run.stdout.contains("pod 10d16a28-60ff-475f-a631-510d9792219f (besteffort) container 178ec18073cc"))
        #expect(run.stdout.contains("3      total"))
    }

    @Test func anUnreadableInputExitsWith1AfterParsingTheOthers() async throws {
        let run = try await Self.parse(["/nonexistent/kern.log", Self.dmesgFixture])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot read /nonexistent/kern.log"), "\(run.stderr)")
        #expect(try Self.victims(run.stdout).count == 3, "the readable input is still reported")
    }

    @Test(arguments: [["--format", "nope"], ["--utc-offset", "25:00"], ["--output", "xml"], ["--no-such-option"]])
    func usageErrorsExitWith2(arguments: [String]) async throws {
        let run = try await Self.parse(arguments + [Self.dmesgFixture])
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains("Error:"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
