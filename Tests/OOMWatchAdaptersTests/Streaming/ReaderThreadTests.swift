import Foundation
import Synchronization
import Testing
@testable import OOMWatchAdapters

/// The pieces that replaced Foundation's Thread and NSCondition under the journal and kmsg readers.
@Suite struct ReaderThreadTests {
    @Test func creditsAreTakenUntilNoneAreLeftThenTheWaitTimesOut() {
        let gate = CreditGate(capacity: 2)
        #expect(gate.take(waitingAtMost: 0))
        #expect(gate.take(waitingAtMost: 0))
        let started = ContinuousClock.now
        #expect(!gate.take(waitingAtMost: 0.05))
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        gate.give()
        #expect(gate.take(waitingAtMost: 0))
    }

    @Test func aCreditGivenFromAnotherThreadWakesTheWaiter() async {
        let gate = CreditGate(capacity: 0)
        let taken = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        #expect(DedicatedThread.start(name: "gate-waiter") {
            if gate.take(waitingAtMost: 30) { taken.add(1, ordering: .relaxed) }
            done.signal()
        } == nil)
        try? await Task.sleep(for: .milliseconds(50))
        gate.give()
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(taken.load(ordering: .relaxed) == 1)
    }

    @Test func theReaderThreadRunsUnderItsName() throws {
        let name = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        #expect(DedicatedThread.start(name: "oomwatch-test-thread-name-too-long") {
            name.withLock { $0 = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) }
            done.signal()
        } == nil)
        #expect(done.wait(timeout: .now() + 30) == .success)
        // The kernel keeps 15 bytes of a thread name.
        #expect(name.withLock { $0 } == "oomwatch-test-t\n")
    }
}
