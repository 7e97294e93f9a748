import Foundation
import Logging
import NIOHTTP1
import OOMWatchCore
import OOMWatchTestSupport
import Synchronization
import Testing
@testable import OOMWatchServer

/// Large-body routes take one of a few slots from building the body until it is written: the memory such
/// answers hold is bounded by the slot count, not by the number of connections.
@Suite struct LargeResponseSlotsTests {
    @Test func slotsAreTakenGivenBackAndWaitedForUntilTheTimeout() async {
        let slots = ResponseSlots(capacity: 2)
        #expect(slots.tryAcquire() && slots.tryAcquire())
        #expect(!slots.tryAcquire())
        let started = ContinuousClock.now
        #expect(await slots.acquire(within: .milliseconds(50)) == false)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        let waiter = Task { await slots.acquire(within: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(30))
        slots.release()
        #expect(await waiter.value, "a slot given back goes to a waiter")
        slots.release()
        slots.release()
        slots.release()
        #expect(slots.available == 2, "never more than the capacity")
    }

    @Test func waitersAreServedInOrderAndACancelledWaiterLeavesTheQueue() async throws {
        let slots = ResponseSlots(capacity: 1)
        #expect(slots.tryAcquire())
        final class Order: Sendable {
            let served = Mutex<[Int]>([])
        }
        let order = Order()
        let cancelled = Task { await slots.acquire(within: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(20))
        var waiters: [Task<Void, Never>] = []
        for n in 1...3 {
            waiters.append(Task {
                if await slots.acquire(within: .seconds(30)) {
                    order.served.withLock { $0.append(n) }
                    slots.release()
                }
            })
            try await Task.sleep(for: .milliseconds(20))
        }
        cancelled.cancel()
        #expect(await cancelled.value == false)
        slots.release()
        for waiter in waiters { await waiter.value }
        #expect(order.served.withLock { $0 } == [1, 2, 3])
        #expect(slots.available == 1)
    }

    /// A waiter's deadline timer ends when the waiter is served (or gives up), not at the deadline: under a
    /// crowd of scrapers each timer left running held a task for the whole wait (15 s by default).
    @Test func servedWaitersLeaveNoTimerRunning() async throws {
        let slots = ResponseSlots(capacity: 1)
        #expect(slots.tryAcquire())
        let waiters = (0..<50).map { _ in Task { await slots.acquire(within: .seconds(3600)) } }
        // All 50 queue up behind the held slot.
        let queued = ContinuousClock.now + .seconds(10)
        while slots.runningTimers < 50, ContinuousClock.now < queued { try await Task.sleep(for: .milliseconds(5)) }
        guard slots.runningTimers == 50 else {
            for waiter in waiters { waiter.cancel() }
            Issue.record("only \(slots.runningTimers) of 50 waiters queued within 10 s")
            return
        }
        // Each release hands the one slot to the next waiter; the last one gives it back.
        for _ in waiters { slots.release() }
        for waiter in waiters { #expect(await waiter.value) }
        slots.release()
        let ended = ContinuousClock.now + .seconds(10)
        while slots.runningTimers > 0, ContinuousClock.now < ended { try await Task.sleep(for: .milliseconds(5)) }
        #expect(slots.runningTimers == 0, "the served waiters' timers still run until their deadline")
        #expect(slots.available == 1)
    }

    @Test func aWaiterCancelledBeforeItQueuesGivesUpAtOnce() async {
        let slots = ResponseSlots(capacity: 1)
        #expect(slots.tryAcquire())
        let waiter = Task {
            // Cancelled before it reaches the queue: it must not wait out its 30 s.
            withUnsafeCurrentTask { $0?.cancel() }
            return await slots.acquire(within: .seconds(30))
        }
        let started = ContinuousClock.now
        #expect(await waiter.value == false)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(slots.runningTimers == 0)
    }

    /// One slot, held by a request whose body is still being built: another large request waits, then gets
    /// 503 with Retry-After; small routes answer meanwhile; once the first is written the next gets its slot.
    @Test func aLargeRequestBeyondTheSlotsWaitsThenGets503WhileSmallRoutesAnswer() async throws {
        let gate = Mutex(false)
        var router = Router()
        router.get("/small") { _ in .text("ok") }
        router.get("/large", largeBody: true) { _ in
            while !gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
            return .text(String(repeating: "x", count: 1 << 20))
        }
        router.get("/other-large", largeBody: true) { _ in .text("large") }
        // The holder's connection deadline runs while its handler waits at the gate: 6 s leaves room for
        // the waiter's 3 s (half of it) on a loaded 2-core machine.
        var configuration = HTTPServerConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), readTimeout: .seconds(6))
        configuration.maxConcurrentLargeResponses = 1
        let server = HTTPServer(configuration: configuration, router: router, logger: Logger(label: "test"))
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let port = try #require(try await server.boundAddress().port)

        let holder = try LoopbackClient(port: port)
        #expect(holder.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\n"))
        try await Task.sleep(for: .milliseconds(100))   // the holder's handler has the slot and waits at the gate

        let asked = ContinuousClock.now
        let refused = try await LoopbackClient.get(port: port, path: "/other-large")
        #expect(refused.status == 503)
        #expect(ContinuousClock.now - asked >= .seconds(3), "it waited half the response deadline for a slot")
        #expect(refused.header("Retry-After") == "1")
        #expect(refused.bodyText.hasPrefix("busy: 1 large responses in progress"))
        #expect(try await LoopbackClient.get(port: port, path: "/small").status == 200, "small routes take no slot")

        gate.withLock { $0 = true }
        let held = try await holder.response(timeout: .seconds(10))
        #expect(held.status == 200 && held.body.count == (1 << 20) + 1)
        #expect(try await LoopbackClient.get(port: port, path: "/other-large").status == 200, "the slot was given back")
    }
}
