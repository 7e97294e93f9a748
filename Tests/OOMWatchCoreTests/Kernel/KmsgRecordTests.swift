import OOMWatchCore
import Testing

@Suite("KmsgRecord")
struct KmsgRecordTests {
    @Test("real OOM kill record from this VM's /dev/kmsg")
    func realOOMRecord() throws {
        let text = "3,425,126418212,-;Memory cgroup out of memory: Killed process 3311 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0\n"
        let record = try KmsgRecord.parse(Array(text.utf8))
        #expect(record.facility == 0)
        #expect(record.level == 3)
        #expect(record.sequence == 425)
        #expect(record.timestampMicros == 126_418_212)
        #expect(record.flags == UInt8(ascii: "-"))
        #expect(String(decoding: record.message, as: UTF8.self)
            == "Memory cgroup out of memory: Killed process 3311 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0")
        #expect(record.properties.isEmpty)
        let line = record.kernelLine
        #expect(line.sequence == 425)
        #expect(line.monotonicMicros == 126_418_212)
        #expect(line.priority == 3)
        #expect(line.realtimeMicros == nil)
        #expect(line.cursor == nil)
        #expect(line.message == record.message)
    }

    @Test("real record with continuation lines (SUBSYSTEM, DEVICE)")
    func continuationLines() throws {
        let text = "6,198,183365,-;acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]\n SUBSYSTEM=acpi\n DEVICE=+acpi:PNP0A08:00\n"
        let record = try KmsgRecord.parse(Array(text.utf8))
        #expect(record.level == 6)
        #expect(record.sequence == 198)
        #expect(record.timestampMicros == 183_365)
        #expect(String(decoding: record.message, as: UTF8.self) == "acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]")
        #expect(record.properties == [
            KmsgProperty(key: "SUBSYSTEM", value: Array("acpi".utf8)),
            KmsgProperty(key: "DEVICE", value: Array("+acpi:PNP0A08:00".utf8)),
        ])
    }

    @Test("escaped bytes \\xNN decode to raw bytes; tab from a real record")
    func escapes() throws {
        let tab = try KmsgRecord.parse(Array("6,92,137374,-;\\x09Trampoline variant of Tasks RCU enabled.\n".utf8))
        #expect(tab.message == Array("\tTrampoline variant of Tasks RCU enabled.".utf8))

        let binary = try KmsgRecord.parse(Array("3,7,1,-;Killed process 1 (a\\xff\\xfeb\\x0ac) back\\x5cslash \\xZZ \\x4\n".utf8))
        #expect(binary.message == Array("Killed process 1 (a".utf8) + [0xff, 0xfe] + Array("b\nc) back\\slash \\xZZ \\x4".utf8))
    }

    @Test("userspace write: facility user, extra header fields ignored, no trailing newline")
    func facilityAndExtraFields() throws {
        let record = try KmsgRecord.parse(Array("13,99,5000000,c,caller=T123;hello".utf8))
        #expect(record.facility == 1)
        #expect(record.level == 5)
        #expect(record.sequence == 99)
        #expect(record.flags == UInt8(ascii: "c"))
        #expect(record.message == Array("hello".utf8))
    }

    @Test("malformed records give typed errors", arguments: [
        ("no semicolon here", KmsgParseError.missingSemicolon),
        ("6,1;message", KmsgParseError.missingHeaderFields),
        ("x,1,2,-;message", KmsgParseError.badHeaderField("prio")),
        ("6,-1,2,-;message", KmsgParseError.badHeaderField("seq")),
        ("6,1,99999999999999999999999,-;m", KmsgParseError.badHeaderField("ts_usec")),
        ("6,,2,-;message", KmsgParseError.badHeaderField("seq")),
    ])
    func malformed(input: String, expected: KmsgParseError) {
        #expect(throws: expected) { try KmsgRecord.parse(Array(input.utf8)) }
    }
}

@Suite("JournalCursor and boot-end rules")
struct JournalCursorTests {
    @Test func parsesRealCursor() throws {
        let cursor = try #require(JournalCursor("s=afeede76a7244f6fa1e917bb0b753410;i=1a8;b=126da5aaa18b4c7eb85bf10b7378e4de;m=1544f39c;t=660efda82d541;x=1016f6ed2d1b6e9c"))
        #expect(cursor.seqnumID == "afeede76a7244f6fa1e917bb0b753410")
        #expect(cursor.seqnum == 0x1a8)
        #expect(cursor.bootID == "126da5aaa18b4c7eb85bf10b7378e4de")
        #expect(cursor.monotonicMicros == 356_840_348)
        #expect(cursor.realtimeMicros == 1_795_433_139_721_537)
        #expect(JournalCursor("garbage") == nil)
    }

    @Test func kernelErrorAndRebootClassification() {
        #expect(BootEndRules.isKernelError(Array("BUG: kernel NULL pointer dereference, address: 0000000000000008".utf8)))
        #expect(BootEndRules.isKernelError(Array("Oops: 0000 [#1] PREEMPT SMP NOPTI".utf8)))
        #expect(BootEndRules.isKernelError(Array("Kernel panic - not syncing: Fatal exception".utf8)))
        #expect(BootEndRules.isKernelError(Array("watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:1:42]".utf8)))
        #expect(BootEndRules.isKernelError(Array("------------[ cut here ]------------ kernel BUG at mm/slub.c:123!".utf8)))
        #expect(!BootEndRules.isKernelError(Array("Memory cgroup out of memory: Killed process 3311 (haproxy)".utf8)))
        #expect(!BootEndRules.isKernelError(Array("DEBUG: fine".utf8)))
        #expect(BootEndRules.kernelRebootMarker(Array("reboot: Power down".utf8)) == .kernelReboot(message: "reboot: Power down"))
        #expect(BootEndRules.kernelRebootMarker(Array("rebooting soon".utf8)) == nil)
        #expect(BootEndRules.shutdownMarker(messageID: BootEndRules.unitStartedMessageID, unit: "nginx.service", shutdownKind: nil) == nil)
        #expect(BootEndRules.shutdownMarker(messageID: BootEndRules.unitStartedMessageID, unit: "poweroff.target", shutdownKind: nil)
            == .shutdownTargetReached(unit: "poweroff.target"))
        #expect(BootEndRules.shutdownMarker(messageID: BootEndRules.shutdownMessageID, unit: nil, shutdownKind: "reboot")
            == .logindShutdown(kind: "reboot"))
    }
}
