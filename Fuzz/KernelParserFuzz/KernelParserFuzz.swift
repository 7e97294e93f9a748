import FuzzSupport
import OOMWatchCore

/// Runs arbitrary bytes through every kernel-input path: format detection and decoding,
/// the record parser on each raw line, the assembler, and the renderers. Invariants that
/// must hold for any input are checked with `precondition` so libFuzzer reports violations.
func fuzzKernelInput(_ data: [UInt8]) {
    // 1. Whole-input analysis (detects the format, decodes in chunks, assembles).
    let analysis = KernelLogAnalysis.analyze(data)
    precondition(analysis.kills.count <= analysis.assemblerCounters.linesSeen)
    _ = KillReportRenderer.table(analysis.kills)
    _ = KillReportRenderer.summary(analysis.kills)
    _ = try? KillReportRenderer.jsonLines(analysis.kills)

    // 2. Every raw line straight into the parser and a small-capacity assembler.
    var config = OOMKillAssembler.Configuration()
    config.maxPendingReports = 4
    config.maxHeldKills = 4
    var assembler = OOMKillAssembler(configuration: config)
    var start = 0
    var killLines = 0
    var kills = 0
    while start <= data.count {
        let end = data[start...].firstIndex(of: 0x0A) ?? data.count
        let line = Array(data[start..<end])
        if case .record(.killedProcess) = KernelRecordParser.classify(line) { killLines += 1 }
        for e in assembler.feed(KernelLine(message: line, monotonicMicros: Int64(start))) {
            if case .kill(let k) = e { kills += 1; _ = CgroupPathClassifier.classify(k.taskCgroup ?? "") }
        }
        precondition(assembler.pendingCount.reports <= 4 && assembler.pendingCount.kills <= 4)
        start = end + 1
    }
    for e in assembler.finish() { if case .kill = e { kills += 1 } }
    // Never more kills than kill lines plus summaries; never fewer than distinct kill lines minus duplicates.
    precondition(kills <= killLines + assembler.counters.killsWithoutKillLine)
    precondition(kills + assembler.counters.duplicateKillLines >= killLines)

    // 3. Export reader fed byte-chunked must agree with the one-shot parse.
    var reader = JournalExportReader(maxFieldSize: 1 << 16)
    var chunked: [JournalExportEntry] = []
    var i = 0
    while i < data.count {
        let e = min(data.count, i + 7)
        chunked += reader.feed(Array(data[i..<e]))
        i = e
    }
    chunked += reader.finish()
    var whole = JournalExportReader(maxFieldSize: 1 << 16)
    var once = whole.feed(data)
    once += whole.finish()
    precondition(chunked == once)
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzKernelInput(Array(UnsafeBufferPointer(start: bytes, count: size)))
    return 0
}

@_cdecl("KernelParserFuzz_main")
public func kernelParserFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzzing.runLibFuzzer(argc, argv) { bytes, size in LLVMFuzzerTestOneInput(bytes, size) }
}
#else
/// Without libFuzzer: replays files (e.g. the corpus or crash reproducers) through the same harness.
@main
struct KernelParserFuzzReplay {
    static func main() throws {
        let count = try Fuzzing.replay(CommandLine.arguments.dropFirst(), fuzzKernelInput)
        print("replayed \(count) inputs without a crash")
    }
}
#endif
