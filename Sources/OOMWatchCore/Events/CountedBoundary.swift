/// Decides which kills a previous run of the daemon has already counted, so that a restart neither
/// loses a kill nor makes `increase()` count it twice.
///
/// The daemon saves its position after each counted kill (and periodically) once nothing is pending in
/// the assembler. On start it replays the journal (or the kernel ring buffer) to rebuild `/events`; a
/// replayed kill at or before the saved position was counted by the previous run and is not counted
/// again. Kills after it (for example while the daemon was down) are counted now. Without a saved
/// position (first start, or a lost state directory) nothing before the daemon's start is counted: those
/// kills still appear in `/events`, marked replayed.
public struct CountedBoundary: Sendable, Hashable {
    /// One saved position.
    public enum Mark: Sendable, Hashable {
        /// A journal position: entries up to this wall-clock time (the cursor's `t=`) were processed.
        case journal(realtimeMicros: Int64)
        /// A /dev/kmsg position: records of this boot up to this kernel time were processed.
        case kmsg(bootID: String, monotonicMicros: Int64)
        /// No saved position: only what happens after the daemon started is new.
        case none(startRealtimeMicros: Int64)
    }

    /// The saved positions; an event is counted when any of them says so. With both sources read, the
    /// journal's cursor and the kmsg position are both saved (a kill counted from the fast kmsg path
    /// may not yet be behind the journal cursor when the daemon stops).
    public let marks: [Mark]

    /// A boundary from the saved positions; without any, from the start time.
    public init(journalCursor: String?, kmsgPosition: String? = nil, startRealtimeMicros: Int64) {
        var marks: [Mark] = []
        if let cursor = journalCursor.flatMap(JournalCursor.init), let time = cursor.realtimeMicros {
            marks.append(.journal(realtimeMicros: Int64(clamping: time)))
        }
        if let position = kmsgPosition.flatMap(Self.kmsgMark(from:)) {
            marks.append(position)
        }
        self.marks = marks.isEmpty ? [.none(startRealtimeMicros: startRealtimeMicros)] : marks
    }

    /// Whether a kill (or another event) with these times was counted before.
    public func alreadyCounted(realtimeMicros: Int64?, monotonicMicros: Int64?, bootID: String?) -> Bool {
        marks.contains { Self.counts($0, realtimeMicros: realtimeMicros, monotonicMicros: monotonicMicros, bootID: bootID) }
    }

    private static func counts(_ mark: Mark, realtimeMicros: Int64?, monotonicMicros: Int64?, bootID: String?) -> Bool {
        switch mark {
        case .journal(let saved):
            guard let realtimeMicros else { return false }
            return realtimeMicros <= saved
        case .kmsg(let savedBoot, let saved):
            guard let bootID, bootID == savedBoot, let monotonicMicros else { return false }
            return monotonicMicros <= saved
        case .none(let start):
            guard let realtimeMicros else { return false }
            return realtimeMicros < start
        }
    }

    /// The text a kmsg position is saved as, in the journal cursor's own notation (`b=<boot id>;m=<kernel
    /// µs, hex>`), so the same store and parser serve both.
    public static func kmsgPositionText(bootID: String, monotonicMicros: Int64) -> String {
        "b=\(bootID);m=\(String(UInt64(max(0, monotonicMicros)), radix: 16))"
    }

    /// Reads a saved kmsg position.
    public static func kmsgMark(from text: String) -> Mark? {
        guard let cursor = JournalCursor(text), let boot = cursor.bootID, let micros = cursor.monotonicMicros else { return nil }
        return .kmsg(bootID: boot, monotonicMicros: Int64(clamping: micros))
    }
}
