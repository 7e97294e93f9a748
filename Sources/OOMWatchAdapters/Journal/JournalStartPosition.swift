/// Where a `JournalTailer` starts reading.
public enum JournalStartPosition: Sendable, Hashable {
    /// The first kernel entry of the current boot (at or after the configured replay bound):
    /// rebuilds recent history on start.
    case bootStart
    /// Right after the entry `cursor` names (resume after a restart). When the cursor is malformed
    /// or its entry is no longer in the journal (vacuumed), a `cursorNotFound` warning is emitted and
    /// reading falls back to `.bootStart`.
    case afterCursor(String)
    /// The first entry at or after this CLOCK_REALTIME time (µs since the epoch).
    case realtime(UInt64)
    /// Only entries written from now on (live only, no replay).
    case end
}
