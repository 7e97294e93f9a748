import FuzzSupport
import OOMWatchCore

/// Runs arbitrary bytes through every parser of what the daemon reads from cgroupfs and /proc:
/// single values and limits, v1 and v2 `memory.stat`, `memory.oom_control`, `memory.events`,
/// `memory.pressure`, `/proc/meminfo`, `oom_score_adj`, `/proc/<pid>/stat`, `/proc/self/maps`,
/// `/dev/kmsg` records, pod log directory and container log file names, cgroup paths and
/// kubelet flags; then assembles v1 and v2 samples from what parsed. Invariants that must hold
/// for any input are checked with `precondition`, so libFuzzer reports a violation as a crash.
func fuzzCgroupInput(_ data: [UInt8]) {
    // 1. The whole input as each cgroup file.
    let value = try? CgroupFileParser.parseUInt64(data)
    let limit = Result { () throws(CgroupParseError) in try CgroupFileParser.parseLimit(data) }
    let v1Stat = try? CgroupFileParser.parseV1Stat(data)
    let v2Stat = try? CgroupFileParser.parseV2Stat(data)
    let oomControl = try? CgroupFileParser.parseV1OOMControl(data)
    let events = try? CgroupFileParser.parseV2Events(data)
    let pressure = try? CgroupFileParser.parsePressure(data)
    if let meminfo = try? CgroupFileParser.parseMeminfo(data) {
        let node = MemorySampleAssembler.assembleNode(meminfo: meminfo, pressure: reading(pressure))
        precondition(node.workingSetBytes <= node.usageBytes)
    }

    // A parsed value printed back parses to itself; "max" is no limit.
    if let value {
        precondition((try? CgroupFileParser.parseUInt64(Array("\(value)\n".utf8))) == value)
    }
    if case .success(let parsedLimit) = limit, let parsedLimit {
        precondition((try? CgroupFileParser.parseLimit(Array("\(parsedLimit)\n".utf8))) == parsedLimit)
    }
    precondition((try? CgroupFileParser.parseLimit(Array("max\n".utf8))) == .some(nil))

    // 2. Samples from whatever parsed: never a working set above usage, never a crash.
    let v1 = MemorySampleAssembler.assemble(V1MemoryReadings(
        usage: reading(value), limit: limit.fileReading, stat: reading(v1Stat),
        failcnt: reading(value), oomControl: reading(oomControl), memswUsage: reading(value),
        memswLimit: limit.fileReading, pressure: reading(pressure)))
    precondition(v1.workingSetBytes <= v1.usageBytes)
    let v2 = MemorySampleAssembler.assemble(V2MemoryReadings(
        current: reading(value), max: limit.fileReading, high: limit.fileReading,
        swapCurrent: reading(value), stat: reading(v2Stat), events: reading(events), pressure: reading(pressure)))
    precondition(v2.workingSetBytes <= v2.usageBytes)

    // 3. The same bytes as /proc and /dev/kmsg inputs.
    if let adjustment = OOMScoreAdjustment.parse(data) { precondition((-1000...1000).contains(adjustment)) }
    _ = try? ProcessStat(parsing: data)
    _ = try? KmsgRecord.parse(data)
    let text = String(decoding: data, as: UTF8.self)
    for mapping in MemoryMapping.parse(text) { precondition(mapping.start <= mapping.end) }

    // 4. Names and paths: pod log directories, container log files, cgroup paths, kubelet flags.
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let pod = PodIdentity.parse(logDirectoryName: line) {
            precondition(!pod.uid.isEmpty && !pod.namespace.contains("_") && !pod.name.contains("_"))
        }
        _ = PodIdentity.parse(logPath: line)
        _ = ContainerLogName.parse(fileName: line)
        _ = CgroupPathClassifier.classify(String(line))
        _ = CgroupPathClassifier.isBestEffortPodPath(String(line))
    }
    _ = KubeletFlags.parse(text.split(separator: " ").map(String.init))
}

private func reading<T: Sendable>(_ value: T?) -> FileReading<T> {
    value.map { .value($0) } ?? .unreadable
}

extension Result where Success: Sendable {
    fileprivate var fileReading: FileReading<Success> {
        if case .success(let value) = self { return .value(value) }
        return .unreadable
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzCgroupInput(Array(UnsafeBufferPointer(start: bytes, count: size)))
    return 0
}

@_cdecl("CgroupFileFuzz_main")
public func cgroupFileFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzzing.runLibFuzzer(argc, argv) { bytes, size in LLVMFuzzerTestOneInput(bytes, size) }
}
#else
/// Without libFuzzer: replays files (the corpus or crash reproducers) through the same harness.
@main
struct CgroupFileFuzzReplay {
    static func main() throws {
        let count = try Fuzzing.replay(CommandLine.arguments.dropFirst(), fuzzCgroupInput)
        print("replayed \(count) inputs without a crash")
    }
}
#endif
