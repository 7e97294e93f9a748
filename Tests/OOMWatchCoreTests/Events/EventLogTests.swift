import Foundation
import OOMWatchCore
import Testing

@Suite("Event log, queries and times")
struct EventLogTests {
    static func killEvent(_ pid: Int, at seconds: Int64, replayed: Bool = false) -> NodeEvent {
        .kill(EventTestData.kill(pid: pid, comm: "java", taskCgroup: "/system.slice/a.service", limitCgroup: "/system.slice",
                                  realtimeMicros: seconds * 1_000_000, monotonicMicros: seconds * 1_000_000 - 1_000_000_000), replayed: replayed)
    }

    @Test func keepsAtMostCapacityAndDropsTheOldest() {
        var log = EventLog(capacity: 3)
        for pid in 1...5 {
            let added = log.append(Self.killEvent(pid, at: 1_800_000_000 + Int64(pid)))
            #expect(added)
        }
        #expect(log.count == 3)
        let pids = log.select(EventQuery(limit: 10)).compactMap { event -> Int? in
            if case .oomKill(let kill) = event.payload { kill.victim.pid } else { nil }
        }
        #expect(pids == [5, 4, 3], "newest first, the two oldest dropped")
        // An id that was dropped may come back (it is no longer kept); a kept one may not.
        let readded = log.append(Self.killEvent(1, at: 1_800_000_001))
        let duplicate = log.append(Self.killEvent(5, at: 1_800_000_005))
        #expect(readded)
        #expect(!duplicate)
    }

    @Test func theSameKillFromTwoSourcesIsKeptOnce() {
        var log = EventLog()
        let first = Self.killEvent(42, at: 1_800_000_000)
        var second = first
        second.replayed = true
        let firstAdded = log.append(first)
        let secondAdded = log.append(second)
        #expect(firstAdded)
        #expect(!secondAdded)
        #expect(log.count == 1)
        #expect(log.select(EventQuery()).first?.replayed == false, "the first copy wins")
    }

    @Test func aJournalCopyStampedWithJournaldsReceiveTimeIsTheSameKill() {
        // kmsg gives the kernel's stamp; a journal entry without _SOURCE_MONOTONIC_TIMESTAMP carries journald's
        // receive time, 4 ms later: another id, the same kill.
        let kmsg = EventTestData.kill(pid: 42, comm: "haproxy", taskCgroup: "/system.slice/haproxy.service", limitCgroup: "/system.slice",
                                      realtimeMicros: 1_800_000_000_000_000, monotonicMicros: 900_000_000_000)
        var journal = EventTestData.kill(pid: 42, comm: "haproxy", taskCgroup: "/system.slice/haproxy.service", limitCgroup: "/system.slice",
                                         realtimeMicros: 1_800_000_000_004_000, monotonicMicros: 900_000_004_000)
        journal.reaped = OOMKill.Reaped(anonRssKB: 0, fileRssKB: 4, shmemRssKB: 0)
        #expect(kmsg.id != journal.id)
        var log = EventLog()
        let kmsgAdded = log.append(.kill(kmsg, replayed: false))
        let journalAdded = log.append(.kill(journal, replayed: false))
        #expect(kmsgAdded && !journalAdded)
        #expect(log.count == 1)
        guard case .oomKill(let kept) = log.select(EventQuery()).first?.payload else { Issue.record("no kill"); return }
        #expect(kept.id == kmsg.id && kept.reaped == journal.reaped, "the first copy stays, enriched by the second")

        // The same pid and name killed again a minute later, another pid at the same time, a kill in another
        // boot: three new kills.
        let later = EventTestData.kill(pid: 42, comm: "haproxy", taskCgroup: "/system.slice/haproxy.service", limitCgroup: "/system.slice",
                                       realtimeMicros: 1_800_000_060_000_000, monotonicMicros: 900_060_000_000)
        let otherPid = EventTestData.kill(pid: 43, comm: "haproxy", taskCgroup: "/system.slice/haproxy.service", limitCgroup: "/system.slice",
                                          realtimeMicros: 1_800_000_000_000_000, monotonicMicros: 900_000_000_000)
        var otherBoot = kmsg
        otherBoot.bootID = "another-boot"
        otherBoot.id = OOMKill.makeID(bootID: otherBoot.bootID, monotonicMicros: otherBoot.monotonicMicros, realtimeMicros: nil, pid: 42, comm: otherBoot.victim.comm)
        for kill in [later, otherPid, otherBoot] {
            let added = log.append(.kill(kill, replayed: false))
            #expect(added)
        }
        #expect(log.count == 4)
    }

    @Test func withoutMonotonicTimesCopiesAreMatchedByWallClock() {
        var first = EventTestData.kill(pid: 7, comm: "java", taskCgroup: "/kubepods/pod1/c1", limitCgroup: "/kubepods/pod1",
                                       realtimeMicros: 1_800_000_000_000_000, monotonicMicros: 5_000_000)
        first.monotonicMicros = nil
        var second = first
        second.realtimeMicros = first.realtimeMicros.map { $0 + 2_000_000 }
        second.id = "another-id"
        var third = first
        third.realtimeMicros = first.realtimeMicros.map { $0 + 30_000_000 }
        third.id = "a-third-id"
        var log = EventLog()
        let added = [first, second, third].map { log.append(.kill($0, replayed: false)) }
        #expect(added == [true, false, true])
    }

    @Test func anEvictedKillIsForgottenByItsTwinsToo() {
        let kill = EventTestData.kill(pid: 42, comm: "java", taskCgroup: "/system.slice/a.service", limitCgroup: "/system.slice",
                                      realtimeMicros: 1_800_000_000_000_000, monotonicMicros: 900_000_000_000)
        var twin = kill
        twin.monotonicMicros = kill.monotonicMicros.map { $0 + 3_000 }
        twin.id = "twin"
        var log = EventLog(capacity: 2)
        log.append(.kill(kill, replayed: false))
        log.append(Self.killEvent(1, at: 1_800_000_001))
        log.append(Self.killEvent(2, at: 1_800_000_002))  // evicts pid 42
        let twinAdded = log.append(.kill(twin, replayed: false))
        #expect(twinAdded, "pid 42 is no longer kept: its twin is new")
        let again = log.append(.kill(kill, replayed: false))
        #expect(!again, "and now the twin is kept, the first copy matches it")
        #expect(log.count == 2)
    }

    @Test func theSecondCopyOfAKillFillsWhatTheFirstLacked() throws {
        // The fast path's copy of pid 42: released before the oom_reaper line; its report was rate-limited,
        // so no cgroups and no owner either.
        let full = EventTestData.kill(pid: 42, comm: "java", taskCgroup: "/system.slice/a.service", limitCgroup: "/system.slice",
                                      realtimeMicros: 1_700_000_002_500_000, monotonicMicros: 800_000_000_000)
        var fast = full
        fast.taskCgroup = nil
        fast.limitCgroup = nil
        fast.memcg = nil
        fast.trigger = nil
        fast.reaped = nil
        fast.victim.anonRssKB = nil
        fast.victim.fileRssKB = 7
        fast.resolveOwners()
        var journal = full
        journal.reaped = OOMKill.Reaped(anonRssKB: 0, fileRssKB: 4, shmemRssKB: 0)
        journal.victim.anonRssKB = 999  // filled, since the first copy lacks it

        // A ring of 3 that has wrapped: pid 42 sits in the middle slot, between pids 2 and 3.
        var log = EventLog(capacity: 3)
        log.append(Self.killEvent(1, at: 1_700_000_001))
        log.append(Self.killEvent(2, at: 1_700_000_002))
        log.append(.kill(fast, replayed: false))
        log.append(Self.killEvent(3, at: 1_700_000_003))  // evicts pid 1
        let before = log.select(EventQuery(limit: 10))
        let journalAdded = log.append(.kill(journal, replayed: true))
        #expect(!journalAdded)
        #expect(log.count == 3)
        let after = log.select(EventQuery(limit: 10))
        func pids(_ events: [NodeEvent]) -> [Int] { events.compactMap { if case .oomKill(let k) = $0.payload { k.victim.pid } else { nil } } }
        #expect(pids(after) == [3, 42, 2])
        #expect(after[0] == before[0] && after[2] == before[2], "the other events are untouched")
        #expect(after[1].replayed == false, "the first copy's counting decision stands")
        guard case .oomKill(let kill) = after[1].payload else { Issue.record("not a kill"); return }
        #expect(kill.reaped == journal.reaped)
        #expect(kill.taskCgroup == "/system.slice/a.service" && kill.limitCgroup == "/system.slice")
        #expect(kill.owner == .systemdUnit(slice: "system.slice", unit: "a.service"))
        #expect(kill.limitOwner == .slice("system.slice"))
        #expect(kill.trigger == full.trigger)
        #expect(kill.victim.anonRssKB == 999, "filled from the second copy")
        #expect(kill.victim.fileRssKB == 7, "kept from the first copy")

        // An evicted id comes back as a new event, and its later copies enrich that one.
        let readded = log.append(Self.killEvent(1, at: 1_700_000_001))
        #expect(readded)
        #expect(pids(log.select(EventQuery(limit: 10))) == [3, 42, 1], "pid 2, the oldest, made room")
    }

    @Test func aCopyNamingTheTaskCgroupGivesTheOwnerACopyNamingOnlyTheLimitLacked() {
        let full = EventTestData.kill(pid: 9, comm: "nginx", taskCgroup: "/system.slice/nginx.service", limitCgroup: "/system.slice",
                                      realtimeMicros: 1_700_000_000_000_000, monotonicMicros: 5_000_000)
        var limitOnly = full
        limitOnly.taskCgroup = nil
        limitOnly.resolveOwners()
        #expect(limitOnly.owner == .slice("system.slice"))
        #expect(limitOnly.enriched(with: full).owner == .systemdUnit(slice: "system.slice", unit: "nginx.service"))
        #expect(full.enriched(with: limitOnly).owner == full.owner, "a less specific copy changes nothing")
    }

    @Test func filtersByKindSinceAndLimit() throws {
        var log = EventLog()
        for pid in 1...10 { log.append(Self.killEvent(pid, at: 1_800_000_000 + Int64(pid) * 60)) }
        log.append(.kernelError(KernelError(kind: .bug, message: "BUG: unable to handle page fault", realtimeMicros: 1_800_000_300_000_000, monotonicMicros: 5, bootID: "b"), replayed: false))
        #expect(log.select(EventQuery(kinds: [.kernelError])).count == 1)
        #expect(log.select(EventQuery(kinds: [.oomKill])).count == 10)
        #expect(log.select(EventQuery(limit: 4)).count == 4)
        let since = try EventQuery(parameters: ["since": "1800000480", "type": "oom_kill"], nowMicros: 0)
        #expect(log.select(since).count == 3, "kills at 480, 540 and 600 s after the base")
    }

    @Test func queryParametersAreReadOrRefused() throws {
        let now: Int64 = 1_800_000_000_000_000
        #expect(try EventQuery(parameters: [:], nowMicros: now) == EventQuery())
        #expect(try EventQuery(parameters: ["limit": "5000"], nowMicros: now).limit == EventQuery.maximumLimit)
        #expect(try EventQuery(parameters: ["since": "10m"], nowMicros: now).sinceMicros == now - 600_000_000)
        let expected = try #require(ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z")).timeIntervalSince1970
        #expect(try EventQuery(parameters: ["since": "2027-01-15T08:00:00Z"], nowMicros: now).sinceMicros == Int64(expected) * 1_000_000)
        #expect(try EventQuery(parameters: ["type": "oom_kill,alert"], nowMicros: now).kinds == [.oomKill, .alert])
        for bad in [["limit": "0"], ["limit": "x"], ["type": "kill"], ["since": "yesterday"], ["since": "-5"]] {
            #expect(throws: EventQuery.InvalidParameter.self, "\(bad)") { try EventQuery(parameters: bad, nowMicros: now) }
        }
    }

    @Test(arguments: [
        ("2026-11-23T11:49:10Z", "2026-11-23T11:49:10Z"), ("2026-11-23T11:49:10.5Z", "2026-11-23T11:49:10.5Z"),
        ("2026-11-23T12:49:10+01:00", "2026-11-23T11:49:10Z"), ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2000-02-29T23:59:59-05:30", "2000-03-01T05:29:59Z"),
    ])
    func rfc3339AgreesWithFoundation(input: String, utc: String) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let date = try #require(formatter.date(from: utc) ?? plain.date(from: utc))
        #expect(RFC3339.parseMicros(input) == Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    @Test(arguments: ["", "2026-11-23", "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T11:49:10", "2026-11-23T11:49:10.Z", "2026-11-23T11:49:10+0100"])
    func rfc3339RefusesMalformedTimes(input: String) {
        #expect(RFC3339.parseMicros(input) == nil)
    }

    @Test func eventJSONNamesTheTypeAndTimeAndRoundTrips() throws {
        let event = Self.killEvent(7, at: 1_795_433_350)
        let json = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
        #expect(json.contains("\"type\":\"oom_kill\""))
        #expect(json.contains("\"time\":\"2026-11-23T11:29:10.000002Z\""), "\(json)")
        #expect(json.contains("\"replayed\":false"))
        #expect(try JSONDecoder().decode(NodeEvent.self, from: Data(json.utf8)) == event)
        #expect(NodeEvent.iso8601(-1) == "1969-12-31T23:59:59.999999Z")
    }
}
