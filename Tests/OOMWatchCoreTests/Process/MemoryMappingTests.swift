import Testing
import OOMWatchCore

@Suite struct MemoryMappingTests {
    @Test func parsesFileAnonymousAndNamedMappings() throws {
        let maps = """
        55d8ae025000-55d8afe0a000 r-xp 00000000 fe:00 5400972                    /usr/local/bin/oomwatch
        55d8afe0a000-55d8afedb000 r--p 01de4000 fe:00 5400972                    /usr/local/bin/oomwatch
        5601f6dd2000-5601f7651000 rw-p 00000000 00:00 0                          [heap]
        7f0a5f43b000-7f0a5f61d000 rw-p 00000000 00:00 0 
        7f0a68a44000-7f0a68b9a000 r-xp 00026000 fe:00 333151                     /opt/my tools/lib (deleted)
        ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
        """
        let mappings = MemoryMapping.parse(maps)
        #expect(mappings.count == 6)
        #expect(mappings[0] == MemoryMapping(line: "55d8ae025000-55d8afe0a000 r-xp 00000000 fe:00 5400972 /usr/local/bin/oomwatch"))
        #expect(mappings[0].start == 0x55d8ae025000 && mappings[0].length == 0x55d8afe0a000 - 0x55d8ae025000)
        #expect(mappings[0].readable && mappings[0].executable && !mappings[0].writable)
        #expect(mappings[0].path == "/usr/local/bin/oomwatch")
        #expect(!mappings[1].executable && !mappings[1].writable)
        #expect(mappings[2].path == "[heap]" && mappings[2].writable)
        #expect(mappings[3].path.isEmpty)
        #expect(mappings[4].path == "/opt/my tools/lib (deleted)")
        #expect(!mappings[5].readable && mappings[5].executable)
    }

    @Test(arguments: [
        "", "garbage", "55d8ae025000 r-xp 00000000 fe:00 1 /x", "zz-55 r-xp 0 0 0 /x", "20-10 r-xp 0 0 0 /x",
        "10-20 rw 0 0 0 /x", "10-20 r-xp 0 0", "10-20-30 r-xp 0 0 0 /x",
    ])
    func malformedLinesAreSkipped(line: String) {
        #expect(MemoryMapping(line: line[...]) == nil)
    }
}
