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
    /// The saved position.
    public enum Mark: Sendable, Hashable {
        /// A journal position: entries up to this wall-clock time (the cursor's `t=`) were processed.
        case journal(realtimeMicros: Int64)
        /// A /dev/kmsg position: records of this boot up to this kernel time were processed.
        case kmsg(bootID: String, monotonicMicros: Int64)
        /// No saved position: only what happens after the daemon started is new.
        case none(startRealtimeMicros: Int64)
    }

    public let mark: Mark

    public init(_ mark: Mark) {
        self.mark = mark
    }

    /// A boundary from a saved journal cursor, or from the start time when there is none or it is unreadable.
    public init(journalCursor: String?, startRealtimeMicros: Int64) {
        if let cursor = journalCursor.flatMap(JournalCursor.init), let time = cursor.realtimeMicros {
            mark = .journal(realtimeMicros: Int64(clamping: time))
        } else {
            mark = .none(startRealtimeMicros: startRealtimeMicros)
        }
    }

    /// Whether a kill (or another event) with these times was counted before.
    public func alreadyCounted(realtimeMicros: Int64?, monotonicMicros: Int64?, bootID: String?) -> Bool {
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

    /// The text a kmsg position is saved as: `<boot id> <kernel µs>`.
    public static func kmsgPositionText(bootID: String, monotonicMicros: Int64) -> String {
        "\(bootID) \(monotonicMicros)"
    }

    /// Reads a saved kmsg position.
    public static func kmsgMark(from text: String) -> Mark? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let micros = Int64(parts[1]) else { return nil }
        return .kmsg(bootID: String(parts[0]), monotonicMicros: micros)
    }
}
