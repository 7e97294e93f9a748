import Foundation
import OOMWatchAdapters
import OOMWatchCore
#if canImport(Glibc)
import Glibc
#endif

/// Journal replay speed: a journal of N kernel entries (OOM kill sequences among noise, built with
/// systemd-journal-remote from export text) replayed by the daemon's path (JournalTailer on its
/// sd-journal thread + OOMKillAssembler, in-process) against `journalctl -k -o cat -D <dir>` to
/// /dev/null over the same journal, same run.
enum JournalReplayBenchmark {
    static let converter = "/lib/systemd/systemd-journal-remote"

    static func run(entries: Int, workDir: String) async throws -> BenchReport {
        guard FileManager.default.isExecutableFile(atPath: converter) else {
            throw BenchProcess.Failure(description: "\(converter) not installed (apt-get install systemd-journal-remote)")
        }
        let journalctl = try BenchNet.tool("journalctl")
        let bootID = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: "")
        let directory = workDir + "/oomwatch-journal-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // 1. Export text: kernel entries of the current boot, one kill sequence per ~2,000 lines.
        var messages: [String] = []
        messages.reserveCapacity(entries)
        var kills = 0
        var n = 0
        while messages.count < entries {
            if n % 2_000 == 1_999 {
                var text = ""
                _ = KernelParseBenchmark.appendKill(kills, stamp: { _ in "" }, into: &text)
                messages += text.split(separator: "\n").map(String.init)
                kills += 1
            } else {
                messages.append(KernelParseBenchmark.noise[n % KernelParseBenchmark.noise.count])
            }
            n += 1
        }
        let realtime0 = Int(Date().timeIntervalSince1970 * 1_000_000) - messages.count * 10 - 60_000_000
        var export = [UInt8]()
        export.reserveCapacity(messages.count * 420)
        for (i, message) in messages.enumerated() {
            let realtime = realtime0 + i * 10
            let monotonic = 1_000_000 + i * 10
            export += Array("""
                __CURSOR=s=bench;i=\(String(i + 1, radix: 16))
                __REALTIME_TIMESTAMP=\(realtime)
                __MONOTONIC_TIMESTAMP=\(monotonic + 50)
                _BOOT_ID=\(bootID)
                _MACHINE_ID=0123456789abcdef0123456789abcdef
                _HOSTNAME=bench-node
                PRIORITY=6
                _TRANSPORT=kernel
                SYSLOG_FACILITY=0
                SYSLOG_IDENTIFIER=kernel
                _SOURCE_MONOTONIC_TIMESTAMP=\(monotonic)
                MESSAGE=\(message)


                """.utf8)
        }
        let exportPath = directory + "/bench.export"
        try Data(export).write(to: URL(fileURLWithPath: exportPath))
        let journalDirectory = directory + "/journal"
        try FileManager.default.createDirectory(atPath: journalDirectory, withIntermediateDirectories: true)
        let convert = try BenchProcess(name: "systemd-journal-remote", converter,
                                       ["--compress=no", "-o", journalDirectory + "/bench.journal", exportPath], logPath: directory + "/convert.log")
        while convert.isRunning { usleep(50_000) }
        unlink(exportPath)
        let journalBytes = (try? FileManager.default.attributesOfItem(atPath: journalDirectory + "/bench.journal")[.size] as? Int) ?? 0
        guard journalBytes > 0 else { throw BenchProcess.Failure(description: "journal conversion failed: \(convert.log)") }

        // 2. oomwatch's replay path, best of 3.
        var best = Double.infinity
        var replayedLines = 0
        var assembled = 0
        for _ in 0..<3 {
            let start = BenchNet.monotonicSeconds()
            let tailer = JournalTailer(configuration: JournalTailerConfiguration(
                source: .directory(journalDirectory), start: .bootStart, follow: false))
            tailer.start()
            var assembler = OOMKillAssembler()
            var lines = 0
            var found = 0
            for await event in tailer.events {
                guard case .entry(let line) = event else { continue }
                lines += 1
                for case .kill in assembler.feed(line) { found += 1 }
            }
            for case .kill in assembler.finish() { found += 1 }
            best = min(best, BenchNet.monotonicSeconds() - start)
            replayedLines = lines
            assembled = found
        }
        guard replayedLines == messages.count, assembled == kills else {
            throw BenchProcess.Failure(description: "replayed \(replayedLines) of \(messages.count) entries, assembled \(assembled) of \(kills) kills")
        }

        // 3. journalctl -k -o cat over the same journal, to /dev/null, best of 3; its line count once.
        let counted = directory + "/journalctl.out"
        let countRun = try BenchProcess(name: "journalctl", journalctl, ["-k", "-o", "cat", "--no-pager", "-D", journalDirectory], logPath: counted)
        while countRun.isRunning { usleep(20_000) }
        let journalctlLines = ((try? Data(contentsOf: URL(fileURLWithPath: counted))) ?? Data()).reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        unlink(counted)
        var journalctlBest = Double.infinity
        for _ in 0..<3 {
            let start = BenchNet.monotonicSeconds()
            let run = try BenchProcess(name: "journalctl", journalctl, ["-k", "-o", "cat", "--no-pager", "-D", journalDirectory], logPath: "/dev/null")
            while run.isRunning { usleep(2_000) }
            journalctlBest = min(journalctlBest, BenchNet.monotonicSeconds() - start)
        }

        let ours = Double(messages.count) / best
        let theirs = Double(messages.count) / journalctlBest
        var detail = "journal replay: \(messages.count) kernel entries (\(kills) kill sequences), journal file \(BenchNet.mib(journalBytes)) on \(workDir)\n"
        detail += "tool                                      seconds   entries/s   result\n"
        detail += String(format: "oomwatch JournalTailer + assembler         %7.3f  %10.0f   %d entries, %d kills\n", best, ours, replayedLines, assembled)
        detail += String(format: "journalctl -k -o cat -D > /dev/null        %7.3f  %10.0f   %d lines\n", journalctlBest, theirs, journalctlLines)
        detail += String(format: "ratio oomwatch/journalctl throughput: %.2f\n", ours / theirs)
        let row = BenchReport.Row(
            benchmark: "journal-replay", metric: "\(messages.count / 1000)k kernel entries, \(kills) kills",
            oomwatch: String(format: "%.0f entries/s", ours), reference: String(format: "journalctl -k -o cat %.0f entries/s", theirs),
            comparison: String(format: "%.2f× journalctl", ours / theirs))
        return BenchReport(detail: detail, rows: [row])
    }
}
