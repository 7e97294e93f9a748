import FuzzSupport
import OOMWatchAdapters
import OOMWatchCore

/// Runs arbitrary bytes through what the daemon does with kubelet's configuration file: libyaml's parser
/// and `YAMLComposer`, the loader's reading of its fields, and `KubeletConfiguration.resolve` (quantities,
/// percentages, enforcement lists). Invariants (`precondition`): a syntax error names a line and column
/// within the text; a composed document never nests deeper than `YAMLComposer.maximumDepth`.
func fuzzKubeletConfig(_ data: [UInt8]) {
    let text = String(decoding: data, as: UTF8.self)
    do {
        if let node = try YAMLComposer.compose(text) { precondition(depth(of: node) <= YAMLComposer.maximumDepth) }
    } catch {
        // YAML breaks lines at LF, CR (a CR LF pair is one break), NEL, LS and PS.
        let breaks = text.utf8.reduce(0) { $1 == 0x0A || $1 == 0x0D ? $0 + 1 : $0 }
            + text.unicodeScalars.reduce(0) { ["\u{85}", "\u{2028}", "\u{2029}"].contains($1) ? $0 + 1 : $0 }
        precondition(error.line >= 1 && error.line <= breaks + 2 && error.column >= 1, "\(error)")
    }
    guard let settings = try? KubeletConfigLoader.settings(fromYAML: text, path: "fuzz") else { return }
    _ = try? KubeletConfiguration.resolve(file: settings, flags: nil)
}

/// Collections deep, counted without recursion.
private func depth(of root: YAMLNode) -> Int {
    var deepest = 0
    var stack: [(YAMLNode, Int)] = [(root, 0)]
    while let (node, level) = stack.popLast() {
        switch node {
        case .scalar: deepest = max(deepest, level)
        case .sequence(let items):
            deepest = max(deepest, level + 1)
            stack += items.map { ($0, level + 1) }
        case .mapping(let entries):
            deepest = max(deepest, level + 1)
            stack += entries.flatMap { [($0.key, level + 1), ($0.value, level + 1)] }
        }
    }
    return deepest
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzKubeletConfig(Array(UnsafeBufferPointer(start: bytes, count: size)))
    return 0
}

@_cdecl("KubeletConfigFuzz_main")
public func kubeletConfigFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzzing.runLibFuzzer(argc, argv) { bytes, size in LLVMFuzzerTestOneInput(bytes, size) }
}
#else
/// Without libFuzzer: replays files (the corpus or crash reproducers) through the same harness.
@main
struct KubeletConfigFuzzReplay {
    static func main() throws {
        let count = try Fuzzing.replay(CommandLine.arguments.dropFirst(), fuzzKubeletConfig)
        print("replayed \(count) inputs without a crash")
    }
}
#endif
