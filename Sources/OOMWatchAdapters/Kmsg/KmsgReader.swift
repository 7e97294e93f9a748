import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OOMWatchCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Settings of a `KmsgReader`.
public struct KmsgReaderConfiguration: Sendable {
    /// Where to start reading.
    public enum Start: Sendable, Hashable {
        /// The oldest record still in the kernel ring buffer (replay), `SEEK_SET`.
        case oldest
        /// Only records written from now on, `SEEK_END`.
        case end
    }

    /// The device (or, in tests, a FIFO or regular file holding records one per line).
    public var path: String
    /// Where to start.
    public var start: Start
    /// Keep reading new records (true) or finish at the end of what is there (false).
    public var follow: Bool
    /// Events that may wait for the consumer before the reader thread blocks.
    public var bufferCapacity: Int
    /// Poll timeout: the upper bound of how long stopping takes.
    public var pollTimeoutMillis: Int32
    /// The boot ID to stamp on lines; nil reads `/proc/sys/kernel/random/boot_id` (device only).
    public var bootID: String?

    /// Creates a configuration.
    public init(
        path: String = "/dev/kmsg", start: Start = .oldest, follow: Bool = true,
        bufferCapacity: Int = 4096, pollTimeoutMillis: Int32 = 200, bootID: String? = nil
    ) {
        self.path = path
        self.start = start
        self.follow = follow
        self.bufferCapacity = bufferCapacity
        self.pollTimeoutMillis = pollTimeoutMillis
        self.bootID = bootID
    }
}

/// Reads kernel records from `/dev/kmsg` on a dedicated thread: the fallback source when no
/// journal can be opened. One `read(2)` returns one record; `EPIPE` means the ring buffer
/// overwrote records: the gap in sequence numbers is counted (`lostRecords`, `.recordsLost`)
/// and reading continues. On a character device, `realtimeMicros` is estimated from the current
/// CLOCK_REALTIME − CLOCK_MONOTONIC offset (exact unless the machine suspended since the line).
public final class KmsgReader: Sendable {
    /// The events (`.entry`, `.replayFinished`, `.status`); iterate from one task.
    public let events: BackPressuredStream<JournalEvent>
    private let configuration: KmsgReaderConfiguration
    private let producer: BackPressuredProducer<JournalEvent>
    private let control = TailerControl()
    private let counters = KmsgCounters()

    /// Creates a reader; nothing is opened until `start()`.
    public init(configuration: KmsgReaderConfiguration = KmsgReaderConfiguration()) {
        self.configuration = configuration
        (events, producer) = BackPressuredStream<JournalEvent>.make(capacity: configuration.bufferCapacity)
    }

    /// Checks that `path` can be opened for reading; nil when it can, else an explanation.
    public static func unreadableReason(path: String = "/dev/kmsg") -> String? {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            return "cannot open \(path): \(String(cString: strerror(code)))"
                + (code == EACCES || code == EPERM ? " (needs root or CAP_SYSLOG, and kernel.dmesg_restrict permitting)" : "")
        }
        close(descriptor)
        return nil
    }

    /// Records the kernel overwrote before they could be read, in total.
    public var lostRecords: UInt64 { counters.lost.load(ordering: .relaxed) }
    /// Records that could not be parsed: counted here, not delivered.
    public var unparsedRecords: UInt64 { counters.unparsed.load(ordering: .relaxed) }

    /// Starts the reader thread (once).
    public func start() {
        let configuration = configuration
        let producer = producer
        let control = control
        let counters = counters
        control.launch(name: "oomwatch-kmsg") {
            KmsgReadLoop(configuration: configuration, producer: producer, control: control, counters: counters).run()
            producer.finish()
        } failed: { code in
            // No reader thread: say why and end the stream, so the consumer sees the source stop.
            let reason = "cannot start the reader thread: " + String(cString: strerror(code))
            _ = producer.send(.status(.failed(message: reason, retryInSeconds: 0)), shouldStop: { false })
            producer.finish()
        }
    }

    /// Asks the reader thread to stop; it ends within about `pollTimeoutMillis`.
    public func stop() { control.stopRequested.store(true, ordering: .releasing) }

    /// True while the reader thread runs.
    public var isRunning: Bool { control.isRunning }

    /// Waits until the reader thread has ended; false on timeout.
    public func waitUntilStopped(timeoutSeconds: Double) async -> Bool {
        await control.waitUntilStopped(timeoutSeconds: timeoutSeconds)
    }
}

final class KmsgCounters: Sendable {
    let lost = Atomic<UInt64>(0)
    let unparsed = Atomic<UInt64>(0)
}

private final class KmsgReadLoop {
    private let configuration: KmsgReaderConfiguration
    private let producer: BackPressuredProducer<JournalEvent>
    private let control: TailerControl
    private let counters: KmsgCounters
    private var lastSequence: UInt64?
    private var replayFinished = false
    private var bootID: String?
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    private var pending: [UInt8] = []  // stream mode: bytes not yet split into records

    init(configuration: KmsgReaderConfiguration, producer: BackPressuredProducer<JournalEvent>, control: TailerControl, counters: KmsgCounters) {
        self.configuration = configuration
        self.producer = producer
        self.control = control
        self.counters = counters
    }

    private var shouldStop: Bool { control.stopRequested.load(ordering: .acquiring) || producer.isTerminated }

    private func emit(_ event: JournalEvent) -> Bool {
        producer.send(event) { control.stopRequested.load(ordering: .acquiring) }
    }

    func run() {
        let descriptor = open(configuration.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let message = "cannot open \(configuration.path): \(String(cString: strerror(code)))"
            let status: JournalStatus = code == EACCES || code == EPERM
                ? .permissionDenied(path: configuration.path, message: message, retryInSeconds: 0)
                : .failed(message: message, retryInSeconds: 0)
            _ = emit(.status(status))
            return
        }
        defer { close(descriptor) }
        var info = stat()
        let isDevice = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR
        if isDevice {
            bootID = configuration.bootID ?? Self.readBootID()
            _ = lseek(descriptor, 0, configuration.start == .end ? SEEK_END : SEEK_SET)
        } else {
            bootID = configuration.bootID
            if configuration.start == .end, (info.st_mode & S_IFMT) == S_IFREG { _ = lseek(descriptor, 0, SEEK_END) }
        }
        guard emit(.status(.opened(source: configuration.path))) else { return }
        if isDevice { readDevice(descriptor) } else { readStream(descriptor, isFIFO: (info.st_mode & S_IFMT) == S_IFIFO) }
    }

    /// Character device: one read = one record; EAGAIN = caught up; EPIPE = overrun.
    private func readDevice(_ descriptor: Int32) {
        while !shouldStop {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                guard deliver(buffer.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[0..<count]) }, device: true) else { return }
                continue
            }
            if count == 0 { if !caughtUp() || !waitReadable(descriptor) { return }; continue }
            switch errno {
            case EINTR: continue
            case EAGAIN:
                if !caughtUp() || !waitReadable(descriptor) { return }
            case EPIPE:
                // Records were overwritten; the next read returns the oldest remaining one and
                // the sequence gap tells how many were lost (counted in `deliver`).
                continue
            default:
                _ = emit(.status(.failed(message: "read \(configuration.path): \(String(cString: strerror(errno)))", retryInSeconds: 0)))
                return
            }
        }
    }

    /// FIFO or regular file (tests, saved dumps): records are lines, continuation lines start with a space.
    private func readStream(_ descriptor: Int32, isFIFO: Bool) {
        while !shouldStop {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                pending.append(contentsOf: buffer[0..<count])
                guard drainCompleteRecords(atEnd: false) else { return }
                continue
            }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno != EAGAIN {
                _ = emit(.status(.failed(message: "read \(configuration.path): \(String(cString: strerror(errno)))", retryInSeconds: 0)))
                return
            }
            // End of data for now.
            guard drainCompleteRecords(atEnd: true), caughtUp() else { return }
            if isFIFO { usleep(UInt32(configuration.pollTimeoutMillis) * 1000) } else if !waitReadable(descriptor) { return }
        }
    }

    /// Splits `pending` into records; a record ends where the next line does not start with a space.
    private func drainCompleteRecords(atEnd: Bool) -> Bool {
        var recordStart = 0
        var index = 0
        let newline = UInt8(ascii: "\n")
        while let lineEnd = pending[index...].firstIndex(of: newline) {
            let next = lineEnd + 1
            if next < pending.count {
                if pending[next] != UInt8(ascii: " ") {
                    guard deliverSlice(recordStart..<next) else { return false }
                    recordStart = next
                }
            } else if atEnd {
                guard deliverSlice(recordStart..<next) else { return false }
                recordStart = next
            }
            index = next
            if index >= pending.count { break }
        }
        if atEnd, recordStart < pending.count, !pending[recordStart...].allSatisfy({ $0 == newline }) {
            guard deliverSlice(recordStart..<pending.count) else { return false }
            recordStart = pending.count
        }
        pending.removeFirst(recordStart)
        return true
    }

    private func deliverSlice(_ range: Range<Int>) -> Bool {
        if range.count <= 1 { return true }  // empty line
        let bytes = Array(pending[range])
        return bytes.withUnsafeBufferPointer { deliver($0, device: false) }
    }

    private func deliver(_ record: UnsafeBufferPointer<UInt8>, device: Bool) -> Bool {
        let parsed: KmsgRecord
        do {
            parsed = try KmsgRecord.parse(record)
        } catch {
            counters.unparsed.add(1, ordering: .relaxed)
            return true
        }
        if let last = lastSequence, parsed.sequence > last + 1 {
            let lost = parsed.sequence - last - 1
            let total = counters.lost.add(lost, ordering: .relaxed).newValue
            guard emit(.status(.recordsLost(count: lost, totalLost: total))) else { return false }
        }
        lastSequence = parsed.sequence
        var line = parsed.kernelLine
        line.bootID = bootID
        if device { line.realtimeMicros = Self.estimatedRealtime(monotonicMicros: parsed.timestampMicros) }
        return emit(.entry(line))
    }

    /// Emits `.replayFinished` once; false when the reader should end (not following).
    private func caughtUp() -> Bool {
        if !replayFinished {
            replayFinished = true
            guard emit(.replayFinished) else { return false }
        }
        return configuration.follow && !shouldStop
    }

    /// Polls for input up to the configured timeout; false when asked to stop.
    private func waitReadable(_ descriptor: Int32) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let result = poll(&request, 1, configuration.pollTimeoutMillis)
        if result > 0, request.revents & Int16(POLLIN) == 0 {
            usleep(UInt32(configuration.pollTimeoutMillis) * 1000)  // POLLHUP/POLLERR: avoid spinning
        }
        return !shouldStop
    }

    private static func readBootID() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return nil }
        let trimmed = text.filter { $0 != "-" && $0 != "\n" }
        return trimmed.count == 32 ? trimmed : nil
    }

    private static func estimatedRealtime(monotonicMicros: Int64) -> Int64 {
        var realtime = timespec()
        var monotonic = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        let offset = (Int64(realtime.tv_sec) - Int64(monotonic.tv_sec)) * 1_000_000
            + (Int64(realtime.tv_nsec) - Int64(monotonic.tv_nsec)) / 1000
        return monotonicMicros + offset
    }
}
