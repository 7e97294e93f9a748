import Foundation
import Testing
@testable import OOMWatchCore

/// Runs `text` through format detection, decoding and assembly.
func analyze(_ text: String, year: Int? = nil, format: KernelLogFormat? = nil) -> KernelLogAnalysis {
    KernelLogAnalysis.analyze(Array(text.utf8), options: .init(format: format, year: year))
}

/// Runs raw bytes through format detection, decoding and assembly.
func analyze(bytes: [UInt8], year: Int? = nil) -> KernelLogAnalysis {
    KernelLogAnalysis.analyze(bytes, options: .init(year: year))
}

/// Loads a fixture file from the test bundle.
func fixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
    return Array(try Data(contentsOf: url))
}

/// Builds the kill we expect; the id is computed from boot/time/pid/comm like the assembler
/// must, and owners from the paths (owners are asserted separately and explicitly in tests).
func expectedKill(
    boot: String? = nil, realtime: Int64? = nil, mono: Int64? = nil, context: OOMMessageContext,
    trigger: OOMKill.Trigger? = nil, victim: OOMKill.Victim, constraint: OOMConstraint,
    limit: String? = nil, task: String? = nil, cpuset: String? = nil, mems: String? = nil,
    memcg: OOMKill.MemcgState? = nil, candidate: OOMKill.Candidate? = nil, reaped: OOMKill.Reaped? = nil,
    group: String? = nil
) -> OOMKill {
    var k = OOMKill(
        id: OOMKill.makeID(bootID: boot, monotonicMicros: mono, realtimeMicros: realtime, pid: victim.pid, comm: victim.comm),
        bootID: boot, realtimeMicros: realtime, monotonicMicros: mono, context: context, trigger: trigger, victim: victim,
        constraint: constraint, limitCgroup: limit, taskCgroup: task, cpuset: cpuset, memsAllowed: mems, memcg: memcg,
        candidate: candidate, reaped: reaped, oomGroupCgroup: group, owner: .unknown(""), limitOwner: nil)
    k.resolveOwners()
    return k
}

/// Asserts two kills are equal, reporting each differing field separately for readable failures.
func expectSame(_ actual: OOMKill?, _ expected: OOMKill, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let a = actual else {
        Issue.record("missing kill for pid \(expected.victim.pid)", sourceLocation: sourceLocation)
        return
    }
    #expect(a.victim == expected.victim, sourceLocation: sourceLocation)
    #expect(a.trigger == expected.trigger, sourceLocation: sourceLocation)
    #expect(a.constraint == expected.constraint, sourceLocation: sourceLocation)
    #expect(a.context == expected.context, sourceLocation: sourceLocation)
    #expect(a.limitCgroup == expected.limitCgroup, sourceLocation: sourceLocation)
    #expect(a.taskCgroup == expected.taskCgroup, sourceLocation: sourceLocation)
    #expect(a.cpuset == expected.cpuset, sourceLocation: sourceLocation)
    #expect(a.memsAllowed == expected.memsAllowed, sourceLocation: sourceLocation)
    #expect(a.memcg == expected.memcg, sourceLocation: sourceLocation)
    #expect(a.candidate == expected.candidate, sourceLocation: sourceLocation)
    #expect(a.reaped == expected.reaped, sourceLocation: sourceLocation)
    #expect(a.oomGroupCgroup == expected.oomGroupCgroup, sourceLocation: sourceLocation)
    #expect(a.realtimeMicros == expected.realtimeMicros, sourceLocation: sourceLocation)
    #expect(a.monotonicMicros == expected.monotonicMicros, sourceLocation: sourceLocation)
    #expect(a.bootID == expected.bootID, sourceLocation: sourceLocation)
    #expect(a.id == expected.id, sourceLocation: sourceLocation)
    #expect(a.owner == expected.owner, sourceLocation: sourceLocation)
    #expect(a.limitOwner == expected.limitOwner, sourceLocation: sourceLocation)
    #expect(a == expected, sourceLocation: sourceLocation)
}
