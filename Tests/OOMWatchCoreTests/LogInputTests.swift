import Foundation
import Testing
@testable import OOMWatchCore

@Suite("Log input formats")
struct LogInputTests {
    static let killMsg = "Memory cgroup out of memory: Killed process 3311 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0"

    @Test("detection of every format", arguments: [
        ("[  126.418212] x", KernelLogFormat.dmesg),
        ("[Mon Aug 31 18:23:18 2015] x", .dmesgHuman),
        ("4,433,1073409862,-;x", .kmsg),
        ("Aug 10 21:09:11 host kernel: x", .syslog),
        ("Aug 10 21:09:11.123456 host kernel: x", .syslog),
        ("2024-08-10T21:09:11+02:00 host kernel: x", .syslogISO),
        ("2024-08-10T21:09:11.123456+0200 host kernel: x", .syslogISO),
        ("[  126.418212] host kernel: x", .journalShortMonotonic),
        ("__CURSOR=s=abc;i=1", .journalExport),
        ("{\"MESSAGE\":\"x\"}", .journalJSON),
        ("Killed process 1 (a) total-vm:1kB", .plain),
    ])
    func detect(line: String, expected: KernelLogFormat) {
        #expect(KernelLogFormat.detect(Array(("-- Journal begins at Mon 2024-08-05 --\n\n" + line + "\n").utf8)) == expected)
    }

    @Test("journalctl short-precise: µs realtime, year and UTC offset from options")
    func shortPrecise() {
        let text = "Aug 10 21:09:11.123456 node1 kernel: \(Self.killMsg)\nAug 10 21:09:12.000000 node1 sshd[12]: \(Self.killMsg)\n"
        let r = KernelLogDecoder.decodeAll(Array(text.utf8), options: .init(year: 2024, utcOffsetSeconds: 7200))
        #expect(r.format == .syslog)
        #expect(r.lines == [KernelLine(Self.killMsg, realtimeMicros: (1_723_324_151 - 7200) * 1_000_000 + 123_456)])
        #expect(r.counters.nonKernelSkipped == 1)
    }

    @Test("journalctl short-monotonic keeps kernel time; other identifiers skipped")
    func shortMonotonic() {
        let text = "[  126.418212] node1 kernel: \(Self.killMsg)\n[  126.5] node1 systemd[1]: foo\n"
        let r = KernelLogDecoder.decodeAll(Array(text.utf8))
        #expect(r.format == .journalShortMonotonic)
        #expect(r.lines == [KernelLine(Self.killMsg, monotonicMicros: 126_418_212)])
        #expect(r.counters.nonKernelSkipped == 1)
    }

    @Test("kern.log with kernel stamp and printk caller id; journalctl boot separators")
    func kernLogAndBoots() {
        let text = """
        -- Boot 0123456789abcdef0123456789abcdef --
        Aug 10 21:09:11 node1 kernel: [  514.682838] [ T1308] \(Self.killMsg)
        -- Boot fedcba9876543210fedcba9876543210 --
        Aug 10 21:19:11 node1 kernel: [    5.1] \(Self.killMsg)

        """
        let r = KernelLogDecoder.decodeAll(Array(text.utf8), options: .init(year: 2024))
        #expect(r.lines == [
            KernelLine(Self.killMsg, realtimeMicros: 1_723_324_151_000_000, monotonicMicros: 514_682_838, bootID: "0123456789abcdef0123456789abcdef"),
            KernelLine(Self.killMsg, realtimeMicros: 1_723_324_751_000_000, monotonicMicros: 5_100_000, bootID: "fedcba9876543210fedcba9876543210"),
        ])
        // Same pid in two boots: two kills.
        let a = analyze(text, year: 2024)
        #expect(a.kills.count == 2)
        #expect(a.kills.map(\.bootID) == ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"])
    }

    static func exportEntry(_ fields: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (k, v) in fields {
            if v.contains(0x0A) || v.contains(where: { $0 >= 0x80 }) {
                out += Array(k.utf8) + [0x0A]
                var n = UInt64(v.count)
                for _ in 0..<8 { out.append(UInt8(n & 0xFF)); n >>= 8 }
                out += v + [0x0A]
            } else {
                out += Array(k.utf8) + [0x3D] + v + [0x0A]
            }
        }
        return out + [0x0A]
    }

    static let weird: [UInt8] = Array("bad".utf8) + [0xFF, 0xFE] + Array("(x) y".utf8)
    static var weirdKill: [UInt8] {
        Array("Memory cgroup out of memory: Killed process 19068 (".utf8) + weird
            + Array(") total-vm:35372kB, anon-rss:32640kB, file-rss:996kB, shmem-rss:0kB, UID:0 pgtables:108kB oom_score_adj:0".utf8)
    }

    static var exportStream: [UInt8] {
        exportEntry([("__CURSOR", Array("s=1;i=1".utf8)), ("__REALTIME_TIMESTAMP", Array("1723324151000001".utf8)),
                     ("__MONOTONIC_TIMESTAMP", Array("1073543600".utf8)), ("_BOOT_ID", Array("b0b0".utf8)),
                     ("_TRANSPORT", Array("kernel".utf8)), ("PRIORITY", Array("3".utf8)),
                     ("_SOURCE_MONOTONIC_TIMESTAMP", Array("1073543523".utf8)), ("MESSAGE", weirdKill)])
        + exportEntry([("__CURSOR", Array("s=1;i=2".utf8)), ("_TRANSPORT", Array("syslog".utf8)),
                       ("MESSAGE", Array("Killed process 1 (forged) total-vm:1kB, anon-rss:1kB, file-rss:1kB".utf8))])
    }

    @Test("journalctl -o export: binary MESSAGE with non-UTF-8 comm, non-kernel entry skipped")
    func export() {
        let r = KernelLogDecoder.decodeAll(Self.exportStream)
        #expect(r.format == .journalExport)
        #expect(r.counters.nonKernelSkipped == 1)
        #expect(r.lines == [KernelLine(message: Self.weirdKill, realtimeMicros: 1_723_324_151_000_001, monotonicMicros: 1_073_543_523,
                                       bootID: "b0b0", cursor: "s=1;i=1", priority: 3)])
        let a = KernelLogAnalysis.analyze(Self.exportStream)
        #expect(a.kills.count == 1)
        #expect(a.kills.first?.victim.comm == ProcessName(bytes: Self.weird))
        #expect(a.kills.first?.victim.comm.display == "bad\\xff\\xfe(x) y")
        #expect(a.kills.first?.bootID == "b0b0")
        #expect(a.kills.first?.id == OOMKill.makeID(bootID: "b0b0", monotonicMicros: 1_073_543_523, realtimeMicros: nil, pid: 19068, comm: ProcessName(bytes: Self.weird)))
    }

    @Test("export reader is chunking-independent and survives corrupt lengths")
    func exportChunking() {
        let whole = JournalExportReader.entries(in: Self.exportStream).entries
        #expect(whole.count == 2)
        var r = JournalExportReader()
        var got: [JournalExportEntry] = []
        for b in Self.exportStream { got += r.feed([b]) }
        got += r.finish()
        #expect(got == whole)
        // A huge length is corruption: skipped to the next entry, counted.
        var bad = Array("MESSAGE\n".utf8) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + Array("junk\n\n".utf8)
        bad += Self.exportEntry([("MESSAGE", Array("ok".utf8))])
        let (entries, malformed) = JournalExportReader.entries(in: bad)
        #expect(malformed == 1)
        #expect(entries == [JournalExportEntry(fields: ["MESSAGE": Array("ok".utf8)])])
    }

    @Test("journalctl -o json: MESSAGE as string and as byte array")
    func json() {
        let bytes = Self.weirdKill.map(String.init).joined(separator: ",")
        let text = """
        {"__CURSOR":"s=1;i=1","__REALTIME_TIMESTAMP":"1723324151000001","__MONOTONIC_TIMESTAMP":"1073543600","_SOURCE_MONOTONIC_TIMESTAMP":"1073543523","_BOOT_ID":"b0b0","_TRANSPORT":"kernel","PRIORITY":"3","MESSAGE":[\(bytes)]}
        {"__CURSOR":"s=1;i=2","_TRANSPORT":"kernel","__MONOTONIC_TIMESTAMP":"5","_BOOT_ID":"b0b0","MESSAGE":"\(Self.killMsg)"}
        {"_TRANSPORT":"stdout","MESSAGE":"Killed process 1 (forged) total-vm:1kB, anon-rss:1kB, file-rss:1kB"}
        {"MESSAGE":null}
        not json

        """
        let r = KernelLogDecoder.decodeAll(Array(text.utf8))
        #expect(r.format == .journalJSON)
        #expect(r.lines == [
            KernelLine(message: Self.weirdKill, realtimeMicros: 1_723_324_151_000_001, monotonicMicros: 1_073_543_523, bootID: "b0b0", cursor: "s=1;i=1", priority: 3),
            KernelLine(message: Array(Self.killMsg.utf8), monotonicMicros: 5, bootID: "b0b0", cursor: "s=1;i=2"),
        ])
        #expect(r.counters.nonKernelSkipped == 1)
        #expect(r.counters.undecodable == 2)
    }

    @Test("journalctl -o json field values: strings, byte arrays, numbers, repeats, nulls and objects")
    func jsonFieldValues() throws {
        func bytes(_ json: String) throws -> [UInt8]? {
            try JSONDecoder().decode(JournalJSONValue.self, from: Data(json.utf8)).fieldBytes
        }
        #expect(try bytes(#""héllo""#) == Array("héllo".utf8))
        #expect(try bytes("[104, 0, 255]") == [104, 0, 255])
        #expect(try bytes("[104, 256]") == nil)  // not bytes: the field is dropped, not truncated
        #expect(try bytes("[104, -1]") == nil)
        #expect(try bytes("[]") == [])
        #expect(try bytes(#"["first", "second"]"#) == Array("first".utf8))  // a repeated field: the first value
        #expect(try bytes(#"[[107, 101, 114], "second"]"#) == Array("ker".utf8))
        #expect(try bytes("[null, \"x\"]") == nil)
        #expect(try bytes("1723324151000001") == Array("1723324151000001".utf8))
        #expect(try bytes("1.5") == Array("1.5".utf8))
        #expect(try bytes("null") == nil)
        #expect(try bytes(#"{"nested": "object"}"#) == nil)
    }

    @Test("streaming decode equals whole decode for every text format")
    func streaming() throws {
        for name in ["real-6.18-dmesg.txt", "real-6.18-kmsg.txt"] {
            let data = try fixture(name)
            let whole = KernelLogDecoder.decodeAll(data).lines
            var d = KernelLogDecoder()
            var got: [KernelLine] = []
            var i = 0
            var step = 1
            while i < data.count {
                let end = min(data.count, i + step)
                got += d.decode(Array(data[i..<end]))
                i = end
                step = step % 97 + 13
            }
            got += d.finish()
            #expect(got == whole)
            #expect(whole.count > 200)
        }
    }

    @Test("LinePrefix strips dmesg stamps and caller ids")
    func prefix() {
        #expect(LinePrefix.stripMonotonic("[  123.456789] hello")! == (123_456_789, "hello"))
        #expect(LinePrefix.stripMonotonic("[   37.128158][ T9185] Memory")! == (37_128_158, "Memory"))
        #expect(LinePrefix.stripMonotonic("[65731.222840] [ T1308] oom-kill:")! == (65_731_222_840, "oom-kill:"))
        #expect(LinePrefix.stripMonotonic("[1.5] x")! == (1_500_000, "x"))
        #expect(LinePrefix.stripMonotonic("no stamp") == nil)
        #expect(LinePrefix.stripMonotonic("[12a.5] x") == nil)
    }

    @Test("ProcessName escapes invalid bytes and round-trips through Codable")
    func processName() throws {
        let n = ProcessName(bytes: [0x61, 0xFF, 0x20, 0x28, 0x29, 0x0A, 0xC3, 0xA9])
        #expect(n.display == "a\\xff ()\\x0aé")
        #expect(ProcessName(display: n.display) == n)
        let data = try JSONEncoder().encode(n)
        #expect(String(decoding: data, as: UTF8.self) == #""a\\xff ()\\x0aé""#)
        #expect(try JSONDecoder().decode(ProcessName.self, from: data) == n)
        #expect(ProcessName(bytes: [0xE2, 0x82]).display == "\\xe2\\x82")
    }
}
