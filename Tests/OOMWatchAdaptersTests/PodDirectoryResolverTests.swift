import Foundation
import OOMWatchCore
import Synchronization
import Testing
@testable import OOMWatchAdapters

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { current.withLock { $0 } }
    func advance(_ duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
}

@Suite struct PodDirectoryResolverTests {
    static let webUID = "11111111-2222-3333-4444-555555555555"
    static let dnsUID = "8a1c2f3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
    static let nginxID = "3f9a1c0e4b7d2e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
    static let sidecarID = "aaaabbbbccccddddeeeeffff00001111222233334444555566667777888899990"

    /// Creates kubelet's layout for one container: the pod directory, the log file, and the link.
    private func addContainer(_ root: TemporaryDirectory, namespace: String, pod: String, uid: String, container: String, id: String) throws {
        let podDirectory = "pods/\(namespace)_\(pod)_\(uid)"
        try root.file("\(podDirectory)/\(container)/0.log", "")
        try root.directory("containers")
        try root.symlink("containers/\(pod)_\(namespace)_\(container)-\(id).log", to: "\(root.path)/\(podDirectory)/\(container)/0.log")
    }

    private func resolver(_ root: TemporaryDirectory, clock: ManualClock, retention: Duration = .seconds(3600), cap: Int = 100, interval: Duration = .seconds(5)) -> PodDirectoryResolver {
        PodDirectoryResolver(
            configuration: .init(
                podLogDirectory: root.path + "/pods", containerLogDirectory: root.path + "/containers",
                goneRetention: retention, maxGoneEntries: cap, minimumRescanInterval: interval),
            clock: { clock.now })
    }

    @Test func resolvesPodsAndContainersAndCachesThem() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        try addContainer(root, namespace: "default", pod: "web-0", uid: Self.webUID, container: "nginx", id: Self.nginxID)
        try addContainer(root, namespace: "kube-system", pod: "coredns-5d78c9869d-6lx9c", uid: Self.dnsUID, container: "coredns", id: String(Self.sidecarID.prefix(64)))
        let resolver = resolver(root, clock: clock)

        #expect(resolver.pod(uid: Self.webUID) == ResolvedPod(identity: PodIdentity(namespace: "default", name: "web-0", uid: Self.webUID), gone: false))
        // The systemd driver's form of the UID resolves too, from the cache.
        #expect(resolver.pod(uid: Self.dnsUID.replacingOccurrences(of: "-", with: "_"))?.identity.name == "coredns-5d78c9869d-6lx9c")
        #expect(resolver.container(id: Self.nginxID) == ResolvedContainer(
            name: ContainerLogName(podName: "web-0", namespace: "default", containerName: "nginx", containerID: Self.nginxID),
            podUID: Self.webUID, gone: false))
        // Short IDs and runtime prefixes.
        #expect(resolver.container(id: String(Self.nginxID.prefix(12)))?.name.containerName == "nginx")
        #expect(resolver.container(id: "containerd://" + Self.nginxID)?.podUID == Self.webUID)
        #expect(resolver.container(id: "not-an-id") == nil)
        #expect(resolver.pod(uid: "zzz") == nil)
        let statistics = resolver.statistics
        #expect(statistics.scans == 1)
        #expect(statistics.livePods == 2)
        #expect(statistics.liveContainers == 2)
        #expect(statistics.rateLimitedMisses == 0)
    }

    @Test func aMissRescansAndNewPodsAreFound() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        try addContainer(root, namespace: "default", pod: "web-0", uid: Self.webUID, container: "nginx", id: Self.nginxID)
        let resolver = resolver(root, clock: clock)
        #expect(resolver.pod(uid: Self.webUID) != nil)
        try addContainer(root, namespace: "kube-system", pod: "coredns-x", uid: Self.dnsUID, container: "coredns", id: String(Self.sidecarID.prefix(64)))
        // Within the rescan interval a miss does not scan.
        clock.advance(.seconds(2))
        #expect(resolver.pod(uid: Self.dnsUID) == nil)
        #expect(resolver.statistics.rateLimitedMisses == 1)
        #expect(resolver.statistics.scans == 1)
        clock.advance(.seconds(3))
        #expect(resolver.pod(uid: Self.dnsUID)?.identity.name == "coredns-x")
        #expect(resolver.statistics.scans == 2)
    }

    @Test func anUrgentLookupRescansDespiteTheRateLimit() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        try addContainer(root, namespace: "default", pod: "web-0", uid: Self.webUID, container: "nginx", id: Self.nginxID)
        let resolver = resolver(root, clock: clock)
        #expect(resolver.pod(uid: Self.dnsUID) == nil, "a miss: the first scan")
        // A pod created right after that scan and killed at once: a plain lookup is rate-limited, a kill's is not.
        try addContainer(root, namespace: "kube-system", pod: "coredns-x", uid: Self.dnsUID, container: "coredns", id: String(Self.sidecarID.prefix(64)))
        clock.advance(.seconds(1))
        #expect(resolver.pod(uid: Self.dnsUID) == nil)
        #expect(resolver.pod(uid: Self.dnsUID, urgent: true)?.identity.name == "coredns-x")
        #expect(resolver.container(id: String(Self.sidecarID.prefix(64)), urgent: true)?.name.containerName == "coredns")
        #expect(resolver.statistics.scans == 2)
    }

    @Test func aFloodOfUnknownIDsCausesOneScanPerInterval() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        try addContainer(root, namespace: "default", pod: "web-0", uid: Self.webUID, container: "nginx", id: Self.nginxID)
        let resolver = resolver(root, clock: clock)
        for index in 0..<1000 {
            let uid = String(format: "%08x-0000-0000-0000-000000000000", index)
            #expect(resolver.pod(uid: uid) == nil)
            #expect(resolver.container(id: String(format: "%012x", index)) == nil)
            if index % 100 == 99 { clock.advance(.seconds(1)) }
        }
        // 2000 misses over 0–9 s with a 5 s interval: a scan at 0 s and one at 5 s, nothing more.
        #expect(resolver.statistics.scans == 2)
        #expect(resolver.statistics.rateLimitedMisses == 1998)
        // Known IDs still resolve from the cache.
        #expect(resolver.pod(uid: Self.webUID) != nil)
    }

    @Test func deletedPodsAreRememberedThenExpire() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        try addContainer(root, namespace: "default", pod: "web-0", uid: Self.webUID, container: "nginx", id: Self.nginxID)
        let resolver = resolver(root, clock: clock, retention: .seconds(3600))
        #expect(resolver.pod(uid: Self.webUID)?.gone == false)

        // The pod is deleted; kubelet removes its directory and the container link.
        try root.delete("pods/default_web-0_\(Self.webUID)")
        try root.delete("containers/web-0_default_nginx-\(Self.nginxID).log")
        clock.advance(.seconds(10))
        resolver.refresh()
        #expect(resolver.pod(uid: Self.webUID) == ResolvedPod(identity: PodIdentity(namespace: "default", name: "web-0", uid: Self.webUID), gone: true))
        #expect(resolver.container(id: Self.nginxID)?.gone == true)
        #expect(resolver.container(id: Self.nginxID)?.podUID == Self.webUID)
        #expect(resolver.statistics.gonePods == 1)
        #expect(resolver.statistics.goneContainers == 1)

        // Still named 59 minutes later; forgotten after the retention.
        clock.advance(.seconds(59 * 60))
        #expect(resolver.pod(uid: Self.webUID)?.gone == true)
        clock.advance(.seconds(60))
        #expect(resolver.pod(uid: Self.webUID)?.gone == true, "remembered for exactly the retention")
        clock.advance(.seconds(1))
        #expect(resolver.pod(uid: Self.webUID) == nil)
        #expect(resolver.container(id: String(Self.nginxID.prefix(12))) == nil)
        let statistics = resolver.statistics
        #expect(statistics.gonePods == 0)
        #expect(statistics.goneContainers == 0)
        #expect(statistics.expired == 2)
    }

    @Test func aPodThatComesBackIsLiveAgain() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        try root.directory("pods/default_web-0_\(Self.webUID)")
        let resolver = resolver(root, clock: clock)
        resolver.refresh()
        try root.delete("pods/default_web-0_\(Self.webUID)")
        clock.advance(.seconds(6))
        resolver.refresh()
        #expect(resolver.pod(uid: Self.webUID)?.gone == true)
        try root.directory("pods/default_web-0_\(Self.webUID)")
        clock.advance(.seconds(6))
        resolver.refresh()
        #expect(resolver.pod(uid: Self.webUID)?.gone == false)
    }

    @Test func goneEntriesAreCappedLeastRecentlyUsedFirst() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        let uids = (0..<5).map { String(format: "%08x-aaaa-bbbb-cccc-dddddddddddd", $0) }
        for (index, uid) in uids.enumerated() { try root.directory("pods/ns_pod-\(index)_\(uid)") }
        let resolver = resolver(root, clock: clock, cap: 3)
        resolver.refresh()
        // Use pods 0 and 1 recently; 2, 3, 4 were never looked up.
        #expect(resolver.pod(uid: uids[0]) != nil)
        #expect(resolver.pod(uid: uids[1]) != nil)
        for (index, uid) in uids.enumerated() { try root.delete("pods/ns_pod-\(index)_\(uid)") }
        clock.advance(.seconds(6))
        resolver.refresh()
        let statistics = resolver.statistics
        #expect(statistics.gonePods == 3)
        #expect(statistics.evictedByCap == 2)
        #expect(resolver.pod(uid: uids[0])?.gone == true)
        #expect(resolver.pod(uid: uids[1])?.gone == true)
        let remaining = uids[2...].filter { uid in
            // Avoid triggering scans while checking: each lookup that misses is rate-limited anyway.
            resolver.pod(uid: uid) != nil
        }
        #expect(remaining.count == 1)
    }

    @Test func missingDirectoriesMeanNoPods() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let resolver = resolver(root, clock: ManualClock())
        #expect(resolver.pod(uid: Self.webUID) == nil)
        #expect(resolver.statistics.scans == 1)
        #expect(resolver.statistics.scanErrors == 0)
    }

    @Test func containersWhoseLinkIsNotReadableFallBackToTheUniquePodName() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.directory("pods/default_web-0_\(Self.webUID)")
        // A regular file instead of a link (e.g. a copied directory).
        try root.file("containers/web-0_default_nginx-\(Self.nginxID).log", "")
        let resolver = resolver(root, clock: ManualClock())
        #expect(resolver.container(id: Self.nginxID)?.podUID == Self.webUID)
    }
}
