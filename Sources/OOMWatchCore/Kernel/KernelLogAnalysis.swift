/// The result of running a whole kernel log through decoding and assembly (`oomwatch parse`).
public struct KernelLogAnalysis: Sendable {
    public var format: KernelLogFormat
    public var kills: [OOMKill]
    public var kernelErrors: [KernelError]
    public var skippedVictims: [SkippedVictim]
    public var decoderCounters: KernelLogDecoder.Counters
    public var assemblerCounters: OOMKillAssembler.Counters

    /// Decodes `input` (format detected unless given in `options`) and assembles every kill.
    public static func analyze(_ input: [UInt8], options: KernelLogDecoder.Options = .init(),
                               assembler configuration: OOMKillAssembler.Configuration = .init()) -> KernelLogAnalysis {
        var decoder = KernelLogDecoder(options: options)
        var assembler = OOMKillAssembler(configuration: configuration)
        var analysis = KernelLogAnalysis(format: .plain, kills: [], kernelErrors: [], skippedVictims: [],
                                         decoderCounters: .init(), assemblerCounters: .init())
        func take(_ events: [KernelEvent]) {
            for e in events {
                switch e {
                case .kill(let k): analysis.kills.append(k)
                case .kernelError(let k): analysis.kernelErrors.append(k)
                case .skippedVictim(let s): analysis.skippedVictims.append(s)
                }
            }
        }
        // Feed in chunks so the streaming path is the one exercised.
        let chunk = 1 << 20
        var offset = 0
        repeat {
            let end = min(input.count, offset + chunk)
            for line in decoder.decode(Array(input[offset..<end])) { take(assembler.feed(line)) }
            offset = end
        } while offset < input.count
        for line in decoder.finish() { take(assembler.feed(line)) }
        take(assembler.finish())
        analysis.format = decoder.format ?? .plain
        analysis.decoderCounters = decoder.counters
        analysis.assemblerCounters = assembler.counters
        return analysis
    }
}
