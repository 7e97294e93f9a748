import OOMWatchCore
import Testing

@Suite("Which replayed kills were already counted")
struct CountedBoundaryTests {
    let boot = "126da5aaa18b4c7eb85bf10b7378e4de"

    @Test func aJournalCursorCountsEverythingUpToItsTime() {
        // t=660f0abbc313b is 1795436568617275 µs.
        let boundary = CountedBoundary(journalCursor: "s=afee;i=3977;b=\(boot);m=e67e4f96;t=660f0abbc313b;x=98", startRealtimeMicros: 0)
        #expect(boundary.marks == [.journal(realtimeMicros: 0x660f0abbc313b)])
        #expect(boundary.alreadyCounted(realtimeMicros: 0x660f0abbc313b, monotonicMicros: nil, bootID: boot))
        #expect(boundary.alreadyCounted(realtimeMicros: 0x660f0abbc313b - 1, monotonicMicros: nil, bootID: "other boot"))
        #expect(!boundary.alreadyCounted(realtimeMicros: 0x660f0abbc313b + 1, monotonicMicros: nil, bootID: boot))
        #expect(!boundary.alreadyCounted(realtimeMicros: nil, monotonicMicros: 5, bootID: boot), "no time: never assumed counted")
    }

    @Test func aKmsgPositionCountsOnlyItsOwnBoot() throws {
        let text = CountedBoundary.kmsgPositionText(bootID: boot, monotonicMicros: 3_881_266_241)
        #expect(text == "b=\(boot);m=e7576c41")
        let boundary = CountedBoundary(journalCursor: nil, kmsgPosition: text, startRealtimeMicros: 0)
        #expect(boundary.marks == [.kmsg(bootID: boot, monotonicMicros: 3_881_266_241)])
        #expect(boundary.alreadyCounted(realtimeMicros: nil, monotonicMicros: 3_881_266_241, bootID: boot))
        #expect(!boundary.alreadyCounted(realtimeMicros: nil, monotonicMicros: 3_881_266_242, bootID: boot))
        #expect(!boundary.alreadyCounted(realtimeMicros: nil, monotonicMicros: 1, bootID: "another boot"))
    }

    @Test func eitherSavedPositionCounts() {
        // The kmsg fast path counted a kill the journal had not reached when the daemon stopped.
        let boundary = CountedBoundary(
            journalCursor: "b=\(boot);t=\(String(1_000_000, radix: 16))", kmsgPosition: "b=\(boot);m=\(String(700, radix: 16))", startRealtimeMicros: 0)
        #expect(boundary.marks.count == 2)
        #expect(boundary.alreadyCounted(realtimeMicros: 2_000_000, monotonicMicros: 650, bootID: boot), "behind the kmsg position")
        #expect(boundary.alreadyCounted(realtimeMicros: 900_000, monotonicMicros: 9_999, bootID: boot), "behind the journal cursor")
        #expect(!boundary.alreadyCounted(realtimeMicros: 2_000_000, monotonicMicros: 9_999, bootID: boot))
    }

    @Test func withoutASavedPositionOnlyWhatComesAfterTheStartIsNew() {
        for garbage in [nil, "", "not a cursor", "b=x"] as [String?] {
            let boundary = CountedBoundary(journalCursor: garbage, kmsgPosition: garbage, startRealtimeMicros: 5_000)
            #expect(boundary.marks == [.none(startRealtimeMicros: 5_000)], "\(garbage ?? "nil")")
            #expect(boundary.alreadyCounted(realtimeMicros: 4_999, monotonicMicros: nil, bootID: boot))
            #expect(!boundary.alreadyCounted(realtimeMicros: 5_000, monotonicMicros: nil, bootID: boot))
        }
    }
}
