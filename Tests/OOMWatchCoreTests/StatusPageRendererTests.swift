import Foundation
import FoundationXML
import Testing
@testable import OOMWatchCore

/// A fixed node: kubepods charted over the last hour against a 2 GiB limit, system.slice over the
/// last 30 min with its limit raised from 256 to 512 MiB, no kube.slice; two kills, one of them by a
/// process whose name is markup.
enum StatusPageFixture {
    static let MiB: UInt64 = 1 << 20
    static let nowSeconds: Int64 = 1_700_200_300  // 2023-11-17 05:51:40 UTC
    static let nowMicros = nowSeconds * 1_000_000
    static let hostileComm = "<script>alert(1)"

    static var kubepods: HistoryQueryResult {
        let points = (0...60).map { i -> HistoryQueryPoint in
            let usage = 1024 * MiB + UInt64(i) * 8 * MiB
            return HistoryQueryPoint(timestamp: nowSeconds - 3600 + Int64(60 * i), usageBytes: usage, workingSetBytes: usage - 256 * MiB, limitBytes: 2048 * MiB)
        }
        return HistoryQueryResult(cgroup: "/kubepods.slice", role: .kubepods, windowSeconds: 3600, resolutionSeconds: 60, downsampled: false, points: points)
    }

    static var systemSlice: HistoryQueryResult {
        let points = (0...30).map { i in
            HistoryQueryPoint(timestamp: nowSeconds - 1800 + Int64(60 * i), usageBytes: 240 * MiB, workingSetBytes: 200 * MiB,
                              limitBytes: i < 15 ? 256 * MiB : 512 * MiB)
        }
        return HistoryQueryResult(cgroup: "/system.slice", role: .slice, windowSeconds: 3600, resolutionSeconds: 60, downsampled: false, points: points)
    }

    static var podKill: OOMKill {
        let container = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1d2e3f40_5a6b_4c7d_8e9f_0a1b2c3d4e5f.slice/cri-containerd-3b7f2c1d9e8a4b5c.scope"
        return OOMKill(
            id: "00000000000000a1", bootID: "b", realtimeMicros: nowMicros - 90_000_000, monotonicMicros: 1, context: .memoryCgroup,
            trigger: nil, victim: .init(pid: 4242, comm: ProcessName(display: hostileComm), anonRssKB: 100 * 1024, fileRssKB: 2 * 1024, shmemRssKB: 0),
            constraint: .memcg, limitCgroup: container, taskCgroup: container, cpuset: nil, memsAllowed: nil,
            memcg: .init(usageKB: 128 * 1024, limitKB: 128 * 1024), candidate: nil, reaped: nil, oomGroupCgroup: nil,
            owner: .pod(PodRef(podUID: "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f", qos: .burstable, containerID: "3b7f2c1d9e8a4b5c", runtime: .containerd,
                               namespace: "default", podName: "web", containerName: "app")),
            limitOwner: nil)
    }

    static var unitKill: OOMKill {
        OOMKill(
            id: "00000000000000b2", bootID: "b", realtimeMicros: nowMicros - 7_200_000_000, monotonicMicros: 2, context: .memoryCgroup,
            trigger: nil, victim: .init(pid: 3311, comm: "haproxy", anonRssKB: 32512, fileRssKB: 992, shmemRssKB: 0),
            constraint: .memcg, limitCgroup: "/system.slice", taskCgroup: "/system.slice/haproxy.service", cpuset: nil, memsAllowed: nil,
            memcg: .init(usageKB: 32768, limitKB: 32768), candidate: nil, reaped: nil, oomGroupCgroup: nil,
            owner: .systemdUnit(slice: "system.slice", unit: "haproxy.service"), limitOwner: .slice("system.slice"))
    }

    static var snapshot: StatusSnapshot {
        StatusSnapshot(
            hostname: "node-<1>", version: "1.2.3", generatedAtMicros: nowMicros, windowSeconds: 3600, refreshSeconds: 15,
            capacityBytes: 24 * 1024 * Int64(MiB),
            nodeSample: MemorySample(usageBytes: 6 * 1024 * MiB, workingSetBytes: 3 * 1024 * MiB),
            allocatable: Allocatable(capacityBytes: 24 * 1024 * Int64(MiB), kubeReservedBytes: 512 * Int64(MiB), systemReservedBytes: 512 * Int64(MiB),
                                     evictionHardBytes: 100 * Int64(MiB), allocatableBytes: 24 * 1024 * Int64(MiB) - 1124 * Int64(MiB)),
            diagnosed: true, kubeletConfigurationFound: true, ready: true,
            slices: [
                .init(name: "kubepods", path: "/kubepods.slice", history: kubepods),
                .init(name: "system.slice", path: "/system.slice", history: systemSlice),
                .init(name: "kube.slice", path: nil, history: nil),
            ],
            alerts: [Alert(name: .sliceMemoryPressure, subject: "system.slice", severity: .critical, state: .firing,
                           since: Date(timeIntervalSince1970: Double(nowSeconds - 300)), value: 0.96, threshold: 0.9,
                           summary: "system.slice working set is 96% of its limit <512 MiB>")],
            findings: [Finding(id: Finding.Kind.systemSliceLimitTooSmall, severity: .warning, subject: "/system.slice",
                               title: "system.slice is limited to 512 MiB = 2.1% of node memory",
                               evidence: ["kubelet enforces system-reserved on /system.slice & it is 512 MiB"],
                               fix: "Raise systemReserved.memory to at least 1 GiB.")],
            recentKills: [KillRow(podKill, id: "kill-a1"), KillRow(unitKill, id: "kill-b2")])
    }
}

@Suite("Status page rendering")
struct StatusPageRendererTests {
    let page = StatusPageRenderer.html(StatusPageFixture.snapshot)

    /// Every `<svg …>…</svg>` of the page.
    var svgs: [String] {
        var result: [String] = []
        var rest = page[...]
        while let start = rest.range(of: "<svg"), let end = rest[start.upperBound...].range(of: "</svg>") {
            result.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return result
    }

    func count(_ needle: String, in text: String? = nil) -> Int {
        (text ?? page).components(separatedBy: needle).count - 1
    }

    @Test func isOneSelfContainedDocumentWithoutScripts() {
        #expect(page.hasPrefix("<!doctype html>\n<html lang=\"en\">"))
        #expect(page.hasSuffix("</main></body></html>\n"))
        #expect(page.contains("<meta http-equiv=\"refresh\" content=\"15\">"))
        #expect(page.contains("<style>"))
        #expect(!page.lowercased().contains("<script"), "no JavaScript, and the hostile comm must not become a script element")
        #expect(!page.contains("src="), "no external assets")
        #expect(!page.contains("href=\"http"), "no external links or style sheets")
        #expect(!page.contains("<link"))
        #expect(page.contains("<title>oomwatch · node-&lt;1&gt;</title>"))
        #expect(page.contains("2023-11-17 05:51:40 UTC · oomwatch 1.2.3 · charts: last 1h · refreshes every 15 s"))
    }

    @Test func nodeCardsShowCapacityAllocatableAndUse() {
        #expect(page.contains("<div class=\"label\">Capacity</div><div class=\"value\">24 GiB</div>"))
        #expect(page.contains("<div class=\"label\">Allocatable</div><div class=\"value\">22.9 GiB</div><div class=\"detail\">kube-reserved 512 MiB · system-reserved 512 MiB · eviction 100 MiB</div>"))
        #expect(page.contains("<div class=\"label\">In use (working set)</div><div class=\"value\">3 GiB</div><div class=\"detail\">13% of capacity · usage 6 GiB</div>"))
        #expect(page.contains("<div class=\"label\">OOM kills</div><div class=\"value\">2</div><div class=\"detail\">last 1m ago</div>"))
    }

    @Test func oneChartPerPresentSliceAndAnEmptyStateForTheMissingOne() throws {
        #expect(svgs.count == 2)
        #expect(count("<article class=\"chart-card\" id=\"chart-kubepods\">") == 1)
        #expect(count("<article class=\"chart-card\" id=\"chart-system-slice\">") == 1)
        #expect(page.contains("<article class=\"chart-card empty\" id=\"chart-kube-slice\"><h3>kube.slice</h3><p class=\"note empty-state\">No kube.slice cgroup on this node.</p></article>"))
        #expect(page.contains("<h3>kubepods<span class=\"path\">/kubepods.slice</span></h3><p class=\"now\">working set <b>1.2 GiB</b> of <b>2 GiB</b> (61%) · usage 1.5 GiB · peak 1.5 GiB</p>"))
        // Every chart is well-formed XML with the three series.
        for svg in svgs {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "SVG must be well-formed: \(String(describing: parser.parserError))")
            #expect(count("<path class=\"usage\" d=\"M", in: svg) == 1)
            #expect(count("<path class=\"working-set\" d=\"M", in: svg) == 1)
            #expect(count("<path class=\"usage-area\" d=\"M", in: svg) == 1)
            #expect(count("<path class=\"limit\" d=\"M", in: svg) == 1)
        }
    }

    @Test func kubepodsChartHasByteAndTimeAxesAndTheLimitLine() throws {
        let svg = try #require(svgs.first)
        #expect(svg.contains("<title>kubepods memory over the last 1h</title>"))
        let yLabels = labels(svg, class: "y-label")
        #expect(yLabels == ["0", "0.5 GiB", "1 GiB", "1.5 GiB", "2 GiB", "2.5 GiB"])
        let xLabels = labels(svg, class: "x-label")
        #expect(xLabels == ["now", "-10m", "-20m", "-30m", "-40m", "-50m", "-60m"])
        // Plot: x 62…426, y 14…204, top 2.5 GiB: the 2 GiB limit sits at y = 204 − 0.8 × 190 = 52, across the whole window.
        #expect(svg.contains("<path class=\"limit\" d=\"M62,52 L"))
        #expect(svg.contains(" L426,52\"/>"))
        #expect(svg.contains(">limit 2 GiB</text>"))
        // Usage starts at 1 GiB (y = 204 − 0.4 × 190 = 128) and ends at 1504 MiB (y = 92.4) at the right edge.
        #expect(svg.contains("<path class=\"usage\" d=\"M62,128 L"))
        #expect(svg.contains(" L426,92.4\"/>"))
    }

    @Test func systemSliceLimitIsAStepAtTheChange() throws {
        let svg = try #require(svgs.last)
        #expect(labels(svg, class: "y-label") == ["0", "200 MiB", "400 MiB", "600 MiB"])
        // 256 MiB → y 122.9, 512 MiB → y 41.9; the change at −15 min (x = 335) is a vertical step.
        #expect(svg.contains("<path class=\"limit\" d=\"M244,122.9 L"))
        #expect(svg.contains(" L335,122.9 L335,41.9 L"))
        #expect(svg.contains(">limit 512 MiB</text>"))
    }

    @Test func gapsInTheSamplesBreakTheLines() throws {
        var history = StatusPageFixture.systemSlice
        history.points.removeSubrange(10..<20)  // 11 min without samples
        let chart = SVGChart(history: history, nowSeconds: StatusPageFixture.nowSeconds)
        #expect(chart.segments().map(\.count) == [10, 11])
        let svg = chart.svg(title: "t")
        #expect(count("<path class=\"usage\" d=\"M", in: svg) == 2)
        #expect(count("<path class=\"working-set\" d=\"M", in: svg) == 2)
    }

    @Test func killTableEscapesTheHostileProcessName() {
        #expect(count("<tr class=\"kill\">") == 2)
        #expect(page.contains("<th>Time</th><th>Victim</th><th>Owner</th><th>RSS</th><th>Limit hit</th>"))
        #expect(page.contains(
            "<tr class=\"kill\"><td class=\"time\">2023-11-17 05:50:10 UTC<span class=\"ago\">1m ago</span></td>"
            + "<td><code>&lt;script&gt;alert(1)</code> (4242)</td>"
            + "<td class=\"owner\" title=\"pod default/web (burstable) container app\">default/web (burstable) app</td>"
            + "<td class=\"num\">102 MiB</td>"
            + "<td class=\"limit\" title=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1d2e3f40_5a6b_4c7d_8e9f_0a1b2c3d4e5f.slice/cri-containerd-3b7f2c1d9e8a4b5c.scope\">container at 128 MiB</td></tr>"))
        #expect(page.contains(
            "<tr class=\"kill\"><td class=\"time\">2023-11-17 03:51:40 UTC<span class=\"ago\">2h ago</span></td>"
            + "<td><code>haproxy</code> (3311)</td><td class=\"owner\" title=\"system.slice/haproxy.service\">system.slice/haproxy.service</td>"
            + "<td class=\"num\">32.7 MiB</td><td class=\"limit\" title=\"/system.slice\">system.slice at 32 MiB</td></tr>"))
    }

    @Test func alertsAndFindingsAreListedAndEscaped() {
        #expect(page.contains("<li class=\"alert critical\"><span class=\"sev critical\">critical</span><b>SliceMemoryPressure</b> on <code>system.slice</code> "
            + "<span class=\"state\">firing since 5m ago</span><br>system.slice working set is 96% of its limit &lt;512 MiB&gt;</li>"))
        #expect(page.contains("<details class=\"finding warning\" open><summary><span class=\"sev warning\">warning</span>system.slice is limited to 512 MiB = 2.1% of node memory</summary>"))
        #expect(page.contains("<li>kubelet enforces system-reserved on /system.slice &amp; it is 512 MiB</li>"))
        #expect(page.contains("<p class=\"fix\"><b>Fix:</b> Raise systemReserved.memory to at least 1 GiB.</p>"))
    }

    @Test func withoutKubernetesOrKillsThePageSaysSo() {
        var snapshot = StatusPageFixture.snapshot
        snapshot.slices = [
            .init(name: "kubepods", path: nil, history: nil),
            .init(name: "system.slice", path: "/system.slice", history: HistoryQueryResult(cgroup: "/system.slice", role: .slice, windowSeconds: 3600,
                                                                                       resolutionSeconds: 5, downsampled: false, points: [])),
            .init(name: "kube.slice", path: nil, history: nil),
        ]
        snapshot.allocatable = nil
        snapshot.kubeletConfigurationFound = false
        snapshot.findings = []
        snapshot.alerts = []
        snapshot.recentKills = []
        snapshot.totalKills = 0
        snapshot.ready = false
        snapshot.readinessProblems = ["kernel-log: not ready - opening <journal>"]
        let page = StatusPageRenderer.html(snapshot)
        #expect(!page.contains("<svg"))
        #expect(page.contains("No kubepods cgroup on this node: Kubernetes is not running here, or its pods live under another cgroup root."))
        #expect(page.contains("<h3>system.slice<span class=\"path\">/system.slice</span></h3><p class=\"note empty-state\">No samples in the window yet.</p>"))
        #expect(page.contains("<div class=\"label\">Allocatable</div><div class=\"value\">n/a</div><div class=\"detail\">no kubelet configuration found: not a Kubernetes node?</div>"))
        #expect(page.contains("<p class=\"empty-state\">No OOM kills recorded since the daemon started reading this boot's kernel log.</p>"))
        #expect(!page.contains("<table"))
        #expect(page.contains("<p class=\"empty-state\">No active alerts.</p>"))
        #expect(page.contains("<p class=\"empty-state\">No findings: the node's memory configuration looks sound.</p>"))
        #expect(page.contains("<span class=\"pill bad\" id=\"readiness\">not ready</span>"))
        #expect(page.contains("<p class=\"meta\" id=\"readiness-problems\">kernel-log: not ready - opening &lt;journal&gt;</p>"))
        #expect(page.contains("<div class=\"label\">OOM kills</div><div class=\"value\">0</div><div class=\"detail\">none recorded</div>"))
    }

    @Test func killRowsNameTheLimitAndTheOwnerCompactly() {
        #expect(KillRow(StatusPageFixture.podKill).compactOwner == "default/web (burstable) app")
        #expect(KillRow(StatusPageFixture.unitKill).compactOwner == "system.slice/haproxy.service")
        #expect(KillRow.compact(.pod(PodRef(podUID: "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f", qos: .besteffort, containerID: "3b7f2c1d9e8a4b5c"))) == "pod 1d2e3f40 (besteffort) 3b7f2c1d9e8a")
        #expect(KillRow.scope(ofLimit: "/kubepods/burstable/pod1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f") == "pod")
        #expect(KillRow.scope(ofLimit: "/kubepods.slice/kubepods-burstable.slice") == "kubepods/burstable")
        #expect(KillRow.scope(ofLimit: "/system.slice/haproxy.service") == "system.slice/haproxy.service")
        #expect(KillRow.scope(ofLimit: "/") == "/")
        var global = StatusPageFixture.unitKill
        global.constraint = .global
        global.limitCgroup = nil
        #expect(KillRow(global).limitText == "node memory (global OOM)")
        #expect(KillRow(global).rssBytes == 33_504 * 1024)
    }

    @Test func escapingCoversMarkupQuotesAndControlCharacters() {
        #expect(HTMLText.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTMLText.escape("bad\u{1B}[31mname\u{7F}") == "bad\u{FFFD}[31mname\u{FFFD}")
        #expect(HTMLText.escape("ünïcødé ok") == "ünïcødé ok")
    }

    @Test func byteTicksUseRoundStepsOfOneUnit() {
        #expect(ChartAxis.byteTicks(maximum: 33.3 * 1_048_576).map(\.label) == ["0", "10 MiB", "20 MiB", "30 MiB", "40 MiB"])
        #expect(ChartAxis.byteTicks(maximum: 1.56 * 1_073_741_824).map(\.label) == ["0", "0.5 GiB", "1 GiB", "1.5 GiB", "2 GiB"])
        #expect(ChartAxis.byteTicks(maximum: 0).map(\.label) == ["0", "0.2 KiB", "0.4 KiB", "0.6 KiB", "0.8 KiB", "1 KiB"])
        #expect(ChartAxis.timeTicks(windowSeconds: 900).map(\.label) == ["now", "-5m", "-10m", "-15m"])
        #expect(ChartAxis.timeTicks(windowSeconds: 86_400).map(\.label) == ["now", "-6h", "-12h", "-18h", "-24h"])
    }

    private func labels(_ svg: String, class name: String) -> [String] {
        svg.components(separatedBy: "<text class=\"\(name)\"").dropFirst().compactMap { part in
            guard let open = part.firstIndex(of: ">"), let close = part.range(of: "</text>") else { return nil }
            return String(part[part.index(after: open)..<close.lowerBound])
        }
    }
}
