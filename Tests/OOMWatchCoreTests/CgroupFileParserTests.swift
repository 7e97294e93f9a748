import Testing
@testable import OOMWatchCore

/// Real file contents: v1 files copied from /sys/fs/cgroup/memory on the dev VM (kernel 6.18);
/// v2 formats as documented in Documentation/admin-guide/cgroup-v2.rst and printed by
/// mm/memcontrol.c, PSI as read from /sys/fs/cgroup/unified/memory.pressure on the VM.
@Suite struct CgroupFileParserTests {
    static let realV1Stat = """
    cache 15724544
    rss 1089536
    rss_huge 0
    shmem 0
    mapped_file 3477504
    dirty 8192
    writeback 0
    workingset_refault_anon 0
    workingset_refault_file 100379
    swap 0
    swapcached 0
    pgpgin 118350
    pgpgout 114245
    pgfault 42181
    pgmajfault 143
    inactive_anon 1081344
    active_anon 8192
    inactive_file 5976064
    active_file 9748480
    unevictable 0
    hierarchical_memory_limit 9223372036854771712
    hierarchical_memsw_limit 9223372036854771712
    total_cache 15724544
    total_rss 1089536
    total_rss_huge 0
    total_shmem 0
    total_mapped_file 3477504
    total_dirty 8192
    total_writeback 0
    total_workingset_refault_anon 0
    total_workingset_refault_file 100379
    total_swap 0
    total_swapcached 0
    total_pgpgin 118350
    total_pgpgout 114245
    total_pgfault 42181
    total_pgmajfault 143
    total_inactive_anon 1081344
    total_active_anon 8192
    total_inactive_file 5976064
    total_active_file 9748480
    total_unevictable 0

    """

    static let v2Stat = """
    anon 104857600
    file 62914560
    kernel 5242880
    kernel_stack 163840
    pagetables 40960
    sec_pagetables 0
    percpu 8192
    sock 0
    vmalloc 0
    shmem 0
    zswap 0
    zswapped 0
    file_mapped 10485760
    file_dirty 0
    file_writeback 0
    swapcached 0
    anon_thp 0
    file_thp 0
    shmem_thp 0
    inactive_anon 104857600
    active_anon 0
    inactive_file 20971520
    active_file 41943040
    unevictable 0
    slab_reclaimable 655360
    slab_unreclaimable 327680
    slab 983040
    workingset_refault_anon 0
    workingset_refault_file 30
    pgfault 10000
    pgmajfault 10

    """

    @Test func parsesRealV1Stat() throws {
        let stat = try CgroupFileParser.parseV1Stat(Array(Self.realV1Stat.utf8))
        #expect(stat == V1MemoryStat(
            rss: 1_089_536, cache: 15_724_544, inactiveFile: 5_976_064, swap: 0,
            totalRSS: 1_089_536, totalCache: 15_724_544, totalInactiveFile: 5_976_064, totalSwap: 0))
        #expect(stat.effectiveInactiveFile == 5_976_064)
    }

    @Test func v1StatPrefersHierarchicalTotals() throws {
        let stat = try CgroupFileParser.parseV1Stat(Array("rss 10\ncache 20\ninactive_file 5\ntotal_rss 100\ntotal_cache 200\ntotal_inactive_file 50\n".utf8))
        #expect(stat.effectiveRSS == 100)
        #expect(stat.effectiveCache == 200)
        #expect(stat.effectiveInactiveFile == 50)
        #expect(stat.effectiveSwap == nil)  // no swap accounting: no swap keys
        let local = try CgroupFileParser.parseV1Stat(Array("rss 10\ncache 20\ninactive_file 5\nswap 7".utf8))
        #expect(local.effectiveRSS == 10)
        #expect(local.effectiveCache == 20)
        #expect(local.effectiveInactiveFile == 5)
        #expect(local.effectiveSwap == 7)
    }

    @Test func parsesV2Stat() throws {
        let stat = try CgroupFileParser.parseV2Stat(Array(Self.v2Stat.utf8))
        #expect(stat == V2MemoryStat(anon: 104_857_600, file: 62_914_560, inactiveFile: 20_971_520))
    }

    @Test func parsesRealOOMControl() throws {
        #expect(try CgroupFileParser.parseV1OOMControl(Array("oom_kill_disable 0\nunder_oom 0\noom_kill 0\n".utf8))
            == V1OOMControl(oomKillDisable: false, underOOM: false, oomKill: 0))
        #expect(try CgroupFileParser.parseV1OOMControl(Array("oom_kill_disable 1\nunder_oom 1\noom_kill 12\n".utf8))
            == V1OOMControl(oomKillDisable: true, underOOM: true, oomKill: 12))
        // Kernels before 4.13 print no oom_kill line.
        #expect(try CgroupFileParser.parseV1OOMControl(Array("oom_kill_disable 0\nunder_oom 0\n".utf8))
            == V1OOMControl(oomKillDisable: false, underOOM: false, oomKill: nil))
    }

    @Test func parsesV2Events() throws {
        #expect(try CgroupFileParser.parseV2Events(Array("low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\noom_group_kill 6\n".utf8))
            == V2MemoryEvents(low: 1, high: 2, max: 3, oom: 4, oomKill: 5, oomGroupKill: 6))
        // Before 5.17 there is no oom_group_kill; newer kernels may add keys (ignored).
        #expect(try CgroupFileParser.parseV2Events(Array("low 0\nhigh 0\nmax 0\noom 0\noom_kill 2\nsock_throttled 9\n".utf8))
            == V2MemoryEvents(low: 0, high: 0, max: 0, oom: 0, oomKill: 2, oomGroupKill: nil))
    }

    @Test func parsesPressure() throws {
        let real = try CgroupFileParser.parsePressure(Array(
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=457\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=457\n".utf8))
        #expect(real == PressureStall(
            some: PressureStallLine(avg10: 0, avg60: 0, avg300: 0, totalMicros: 457),
            full: PressureStallLine(avg10: 0, avg60: 0, avg300: 0, totalMicros: 457)))
        let busy = try CgroupFileParser.parsePressure(Array(
            "some avg10=12.34 avg60=5.06 avg300=100.00 total=123456789\nfull avg10=0.50 avg60=0.05 avg300=0.01 total=9876\n".utf8))
        #expect(busy.some == PressureStallLine(avg10: 12.34, avg60: 5.06, avg300: 100.0, totalMicros: 123_456_789))
        #expect(busy.full == PressureStallLine(avg10: 0.5, avg60: 0.05, avg300: 0.01, totalMicros: 9876))
        let someOnly = try CgroupFileParser.parsePressure(Array("some avg10=1.00 avg60=2.00 avg300=3.00 total=4".utf8))
        #expect(someOnly.full == nil)
        #expect(someOnly.some.avg300 == 3.0)
    }

    @Test func parsesSingleValuesAndLimits() throws {
        #expect(try CgroupFileParser.parseUInt64(Array("17592320\n".utf8)) == 17_592_320)
        #expect(try CgroupFileParser.parseLimit(Array("max\n".utf8)) == nil)
        #expect(try CgroupFileParser.parseLimit(Array("536870912\n".utf8)) == 536_870_912)
        #expect(try CgroupFileParser.parseLimit(Array("9223372036854771712\n".utf8)) == nil)
        #expect(try CgroupFileParser.parseLimit(Array("9223372036854710272\n".utf8)) == nil)  // 64 KiB pages
        #expect(try CgroupFileParser.parseLimit(Array("4611686018427387904".utf8)) == nil)  // exactly 2^62
        #expect(try CgroupFileParser.parseLimit(Array("4611686018427387903".utf8)) == 4_611_686_018_427_387_903)
        #expect(CgroupLimitRule.limit(fromRaw: CgroupLimitRule.v1UnlimitedOn4KiBPages) == nil)
    }

    @Test func rejectsMalformedInput() {
        #expect(throws: CgroupParseError.empty) { try CgroupFileParser.parseUInt64(Array("\n".utf8)) }
        #expect(throws: CgroupParseError.empty) { try CgroupFileParser.parseLimit([]) }
        #expect(throws: CgroupParseError.invalidNumber(line: 1)) { try CgroupFileParser.parseUInt64(Array("-1\n".utf8)) }
        #expect(throws: CgroupParseError.invalidNumber(line: 1)) { try CgroupFileParser.parseUInt64(Array("18446744073709551616".utf8)) }
        #expect(throws: CgroupParseError.invalidNumber(line: 1)) { try CgroupFileParser.parseLimit(Array("maximum".utf8)) }
        #expect(throws: CgroupParseError.malformedLine(line: 2)) { try CgroupFileParser.parseV1Stat(Array("rss 1\ngarbage\n".utf8)) }
        #expect(throws: CgroupParseError.invalidNumber(line: 1)) { try CgroupFileParser.parseV1Stat(Array("rss x1\n".utf8)) }
        #expect(throws: CgroupParseError.missingKey("rss")) { try CgroupFileParser.parseV1Stat(Array("cache 1\n".utf8)) }
        #expect(throws: CgroupParseError.missingKey("anon")) { try CgroupFileParser.parseV2Stat(Array("file 1\n".utf8)) }
        #expect(throws: CgroupParseError.missingKey("under_oom")) { try CgroupFileParser.parseV1OOMControl(Array("oom_kill_disable 0\n".utf8)) }
        #expect(throws: CgroupParseError.missingKey("oom_kill")) { try CgroupFileParser.parseV2Events(Array("low 0\n".utf8)) }
        #expect(throws: CgroupParseError.missingKey("some")) { try CgroupFileParser.parsePressure(Array("full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n".utf8)) }
        #expect(throws: CgroupParseError.missingKey("total")) { try CgroupFileParser.parsePressure(Array("some avg10=0.00 avg60=0.00 avg300=0.00\n".utf8)) }
        #expect(throws: CgroupParseError.invalidNumber(line: 1)) { try CgroupFileParser.parsePressure(Array("some avg10=x avg60=0.00 avg300=0.00 total=1\n".utf8)) }
        #expect(throws: CgroupParseError.malformedLine(line: 1)) { try CgroupFileParser.parsePressure(Array("some avg10 avg60=0.00 avg300=0.00 total=1\n".utf8)) }
        #expect(throws: CgroupParseError.missingKey("MemTotal")) { try CgroupFileParser.parseMeminfo(Array("MemFree: 1 kB\n".utf8)) }
        #expect(throws: CgroupParseError.malformedLine(line: 1)) { try CgroupFileParser.parseMeminfo(Array("MemTotal 1 kB\n".utf8)) }
    }

    @Test func parsesRealMeminfo() throws {
        let text = """
        MemTotal:       24684096 kB
        MemFree:        23334200 kB
        MemAvailable:   24289856 kB
        Buffers:            7688 kB
        Cached:          1114100 kB
        SwapCached:            0 kB
        Active:           667696 kB
        Inactive:         490964 kB
        Active(anon):      51320 kB
        Inactive(anon):    44188 kB
        Active(file):     616376 kB
        Inactive(file):   446776 kB
        Unevictable:       13364 kB
        SwapTotal:             0 kB
        SwapFree:              0 kB
        AnonPages:         50608 kB
        HugePages_Total:       0
        Hugepagesize:       2048 kB

        """
        #expect(try CgroupFileParser.parseMeminfo(Array(text.utf8)) == NodeMemoryInfo(
            memTotalBytes: 24_684_096 * 1024, memFreeBytes: 23_334_200 * 1024, memAvailableBytes: 24_289_856 * 1024,
            buffersBytes: 7688 * 1024, cachedBytes: 1_114_100 * 1024, anonPagesBytes: 50608 * 1024,
            inactiveFileBytes: 446_776 * 1024, swapTotalBytes: 0, swapFreeBytes: 0))
    }
}
