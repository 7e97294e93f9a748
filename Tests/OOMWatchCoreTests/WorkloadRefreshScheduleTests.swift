import Testing
import OOMWatchCore

@Suite struct WorkloadRefreshScheduleTests {
    @Test(arguments: [
        (Duration.seconds(5), Duration.seconds(15), 3), (.seconds(5), .seconds(12), 3), (.seconds(5), .seconds(5), 1),
        (.seconds(5), .seconds(1), 1), (.milliseconds(500), .seconds(15), 30), (.seconds(10), .seconds(15), 2),
    ])
    func everyPollsFromIntervals(poll: Duration, workload: Duration, expected: Int) {
        #expect(WorkloadRefreshSchedule(pollInterval: poll, workloadInterval: workload).everyPolls == expected)
    }

    @Test func eachPodIsDueExactlyOncePerPeriodAndTheLoadIsSpread() {
        let schedule = WorkloadRefreshSchedule(everyPolls: 3)
        let pods = (0..<1000).map { "/kubepods/burstable/pod\($0)-\($0 * 7919)" }
        var perPoll: [Int] = []
        for poll in UInt64(40)..<UInt64(43) {
            perPoll.append(pods.filter { schedule.isDue(podPath: $0, poll: poll) }.count)
        }
        for pod in pods {
            let due = (UInt64(40)..<UInt64(46)).filter { schedule.isDue(podPath: pod, poll: $0) }
            #expect(due.count == 2 && due[1] - due[0] == 3, "\(pod): \(due)")
        }
        #expect(perPoll.reduce(0, +) == 1000)
        #expect(perPoll.allSatisfy { (250...420).contains($0) }, "polls read about a third each: \(perPoll)")
    }

    @Test func everyPollScheduleReadsEverything() {
        #expect(WorkloadRefreshSchedule.everyPoll.isDue(podPath: "/kubepods/podx", poll: 7))
        #expect(WorkloadRefreshSchedule(everyPolls: 0).everyPolls == 1)
        // FNV-1a 64 (15132304612754268877 for this path), stable across processes unlike Swift's seeded hash.
        #expect(WorkloadRefreshSchedule.slot(of: "/kubepods/podx", among: 1_000_003) == 620_949)
    }
}
