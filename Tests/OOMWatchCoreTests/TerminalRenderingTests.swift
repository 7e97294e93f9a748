import Foundation
import Testing
@testable import OOMWatchCore

@Suite("Terminal rendering: tables, relative times, events and status")
struct TerminalRenderingTests {
    @Test func relativeTimesUseTheLargestWholeUnit() {
        let now: Int64 = 1_700_000_000_000_000
        #expect(RelativeTime.text(micros: now, now: now) == "just now")
        #expect(RelativeTime.text(micros: now - 999_999, now: now) == "just now")
        #expect(RelativeTime.text(micros: now - 12_000_000, now: now) == "12s ago")
        #expect(RelativeTime.text(micros: now - 59_999_999, now: now) == "59s ago")
        #expect(RelativeTime.text(micros: now - 60_000_000, now: now) == "1m ago")
        #expect(RelativeTime.text(micros: now - 3_599_000_000, now: now) == "59m ago")
        #expect(RelativeTime.text(micros: now - 3 * 3_600_000_000 - 5, now: now) == "3h ago")
        #expect(RelativeTime.text(micros: now - 49 * 3_600_000_000, now: now) == "2d ago")
        #expect(RelativeTime.text(micros: now + 5_000_000, now: now) == "in 5s")
        #expect(RelativeTime.text(micros: 0, now: now) == "-")
    }

    @Test func sanitizeKeepsEscapeSequencesAwayFromTheTerminal() {
        #expect(TerminalText.sanitize("plain ünï") == "plain ünï")
        #expect(TerminalText.sanitize("evil\u{1B}[2Jname") == "evil\\x1b[2Jname")
        #expect(TerminalText.sanitize("a\tb\nc\u{9B}d") == "a b c\\x9bd")
        #expect(TerminalText.truncate("abcdef", to: 4) == "abc…")
        #expect(TerminalText.truncate("abcd", to: 4) == "abcd")
        #expect(TerminalText.truncateFront("/a/b/system.slice", to: 13) == "…system.slice")
    }

    func sampleTable() -> TerminalTable {
        var table = TerminalTable(columns: [
            .init("NAME"),
            .init("PATH", flexible: true, minimumWidth: 8, truncatesFront: true),
            .init("NOTE", flexible: true, minimumWidth: 6, dropPriority: 1),
            .init("SIZE", alignment: .right),
        ])
        table.append(["web", "/kubepods.slice/pod-a/container-1", "restarting again", "1.5 GiB"])
        table.append(["db\u{1B}", "/system.slice/db.service", "ok", "12 MiB"])
        return table
    }

    @Test func tableUsesNaturalWidthsWhenTheyFit() {
        #expect(sampleTable().render(width: 100) == """
            NAME    PATH                               NOTE                 SIZE
            web     /kubepods.slice/pod-a/container-1  restarting again  1.5 GiB
            db\\x1b  /system.slice/db.service           ok                 12 MiB

            """)
    }

    @Test func tableShrinksTheWidestFlexibleColumnFirst() {
        let text = sampleTable().render(width: 56)
        #expect(text == """
            NAME    PATH                   NOTE                 SIZE
            web     …ce/pod-a/container-1  restarting again  1.5 GiB
            db\\x1b  …tem.slice/db.service  ok                 12 MiB

            """)
        for line in text.split(separator: "\n") { #expect(line.count <= 56, "\(line)") }
        #expect(sampleTable().layout(width: 56) == [6, 21, 16, 7])
    }

    @Test func tableDropsLowPriorityColumnsWhenMinimumsDoNotFit() {
        let table = sampleTable()
        // Fixed: 6 + 7, minimum PATH 8, NOTE 6, gaps 6 = 33 > 30: NOTE is dropped and PATH gets the room back.
        #expect(table.layout(width: 30) == [6, 13, 0, 7])
        #expect(table.render(width: 30) == """
            NAME    PATH              SIZE
            web     …/container-1  1.5 GiB
            db\\x1b  …e/db.service   12 MiB

            """)
        for line in table.render(width: 30).split(separator: "\n") { #expect(line.count <= 30, "\(line)") }
    }
}
