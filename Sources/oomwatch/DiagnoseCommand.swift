import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchAdapters
import OOMWatchCore
import OOMWatchServer

/// `oomwatch diagnose`: a one-shot diagnosis of this node, no daemon needed.
struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Diagnose this node's memory configuration and recent OOM kills, without a running daemon.",
        discussion: """
            Reads the cgroups, the kubelet's configuration and this boot's kernel messages directly, and prints \
            the findings, most severe first, each with its evidence and the fix. Exit codes: 0 no critical finding, \
            1 at least one critical finding (or a failure), 2 usage error.
            """
    )

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Root of the cgroup filesystem.") var cgroupRoot: String = "/sys/fs/cgroup"
    @Option(help: "Root of procfs.") var procRoot: String = "/proc"
    @Option(help: "Only cgroups under this cgroup (a node nested in a container).") var cgroupHierarchyPrefix: String = ""
    @Option(help: "Journal directory to read instead of the system journal.") var journalDirectory: String?
    @Option(help: "Read the journals of the OS tree mounted here.") var journalRoot: String?
    @Option(help: "Kernel ring buffer device, read when no journal can be opened.") var kmsgPath: String = "/dev/kmsg"
    @Option(help: "Kubelet configuration file (default: the running kubelet's --config, else /var/lib/kubelet/config.yaml).") var kubeletConfig: String?
    @Option(help: "Kubelet pod log directory (pod names).") var podLogDir: String = "/var/log/pods"
    @Option(help: "Kubelet container log directory (container names).") var containerLogDir: String = "/var/log/containers"
    @Option(help: ArgumentHelp("How far back kills count.", valueName: "duration"), transform: { try DurationText.parse($0) })
    var window: Duration = .seconds(24 * 3600)
    @Option(help: "Output: text or json.") var output: Output = .text

    func validate() throws {
        if journalDirectory != nil, journalRoot != nil { throw ValidationError("--journal-directory and --journal-root exclude each other") }
    }

    func run() async throws {
        let now = Date()
        let sampler: CgroupSampler
        do {
            sampler = try CgroupSampler(configuration: CgroupSamplerConfiguration(
                cgroupRoot: cgroupRoot, procRoot: procRoot, hierarchyPrefix: cgroupHierarchyPrefix))
        } catch {
            StandardStream.writeError("oomwatch diagnose: cannot read cgroups under \(cgroupRoot): \(error)\n")
            throw ExitCode.failure
        }
        let poll = sampler.poll()
        let hostRoot = procRoot.hasSuffix("/proc") ? String(procRoot.dropLast(5)) : ""
        var kubelet: KubeletConfiguration?
        do {
            kubelet = try KubeletDiscovery(explicitConfigPath: kubeletConfig, procRoot: procRoot, hostRoot: hostRoot).discover().configuration
        } catch {
            StandardStream.writeError("oomwatch diagnose: kubelet configuration unreadable: \(error)\n")
        }
        let source: JournalSource = journalDirectory.map { .directory($0) } ?? journalRoot.map { .osRoot($0) } ?? .system
        let (kills, note) = await BootKills.read(journal: source, kmsgPath: kmsgPath)
        if let note { StandardStream.writeError("oomwatch diagnose: \(note)\n") }
        let namer = PodNamer(podLogDirectory: podLogDir, containerLogDirectory: containerLogDir)
        // A nested node shares its host's kernel log: only kills in its own hierarchy are its own.
        let named = kills.filter { $0.isWithin(hierarchyPrefix: cgroupHierarchyPrefix) }.map(namer.name)
        let windowStart = now.addingTimeInterval(-Double(window.components.seconds))
        let facts = NodeFactsBuilder.build(poll: poll, kills: named, kubelet: kubelet, hierarchyPrefix: cgroupHierarchyPrefix, window: windowStart...now)
        let report = DiagnosisReport.diagnose(facts, at: now)
        switch output {
        case .text: print(DiagnosisReportRenderer.text(report), terminator: "")
        case .json: print(String(decoding: try DiagnosisReportRenderer.json(report), as: UTF8.self))
        }
        if report.findings.contains(where: { $0.severity == .critical }) { throw ExitCode.failure }
    }
}

/// Reads this boot's kernel messages once (journal, else /dev/kmsg) and assembles the kills.
enum BootKills {
    static func read(journal: JournalSource, kmsgPath: String) async -> (kills: [OOMKill], note: String?) {
        var assembler = OOMKillAssembler()
        var kills: [OOMKill] = []
        func take(_ events: [KernelEvent]) {
            for case .kill(let kill) in events { kills.append(kill) }
        }
        switch KernelSourceSelection.choose(journal: journal, kmsgPath: kmsgPath) {
        case .journal(let source):
            let tailer = JournalTailer(configuration: JournalTailerConfiguration(source: source, start: .bootStart, follow: false))
            tailer.start()
            for await event in tailer.events {
                if case .entry(let line) = event { take(assembler.feed(line)) }
            }
            take(assembler.finish())
            return (kills, nil)
        case .kmsg(let path, let problem):
            let reader = KmsgReader(configuration: KmsgReaderConfiguration(path: path, start: .oldest, follow: false))
            reader.start()
            for await event in reader.events {
                if case .entry(let line) = event { take(assembler.feed(line)) }
            }
            take(assembler.finish())
            return (kills, "no journal (\(problem)); read \(path)")
        case .unavailable(let message):
            return ([], "kills not read: \(message)")
        }
    }
}
