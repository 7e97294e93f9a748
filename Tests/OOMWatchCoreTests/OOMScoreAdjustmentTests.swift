import OOMWatchCore
import Testing

@Suite("oom_score_adj decision: only ever lowered")
struct OOMScoreAdjustmentTests {
    @Test(arguments: [
        (0, -900, OOMScoreAdjustment.Decision.lower(to: -900)),
        (1000, -900, .lower(to: -900)),
        (-899, -900, .lower(to: -900)),
        (-900, -900, .keep(current: -900)),
        (-997, -900, .keep(current: -997)),
        (-999, -900, .keep(current: -999)),
        (-950, -900, .keep(current: -950)),
        (0, 1000, .keep(current: 0)),
        (500, -1000, .lower(to: -1000)),
    ])
    func decide(current: Int, target: Int, expected: OOMScoreAdjustment.Decision) throws {
        #expect(try OOMScoreAdjustment.decide(current: current, target: target) == expected)
    }

    @Test func targetsOutsideTheKernelRangeAreRefused() {
        #expect(throws: OOMScoreAdjustment.InvalidTarget(value: -1001)) { try OOMScoreAdjustment.decide(current: 0, target: -1001) }
        #expect(throws: OOMScoreAdjustment.InvalidTarget(value: 1001)) { try OOMScoreAdjustment.decide(current: 0, target: 1001) }
    }

    @Test func parsesTheProcFile() {
        #expect(OOMScoreAdjustment.parse(Array("-997\n".utf8)) == -997)
        #expect(OOMScoreAdjustment.parse(Array("0\n".utf8)) == 0)
        #expect(OOMScoreAdjustment.parse(Array("1000".utf8)) == 1000)
        #expect(OOMScoreAdjustment.parse(Array("1001\n".utf8)) == nil)
        #expect(OOMScoreAdjustment.parse(Array("x\n".utf8)) == nil)
        #expect(OOMScoreAdjustment.parse(Array("".utf8)) == nil)
    }
}
