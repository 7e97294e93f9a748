import OOMWatchCore

/// One boot as stored in the journal.
public struct BootRecord: Sendable, Hashable {
    /// `_BOOT_ID`.
    public var bootID: String
    /// Realtime (µs) of the boot's first and last stored entries.
    public var firstRealtimeMicros: UInt64
    /// See `firstRealtimeMicros`.
    public var lastRealtimeMicros: UInt64
}

/// Reads boots from the journal and summarizes how the previous one ended.
///
/// Clean-shutdown rule (systemd 252): the previous boot ended cleanly when any of its entries is
/// - `MESSAGE_ID=98268866d1d54a499c4e98921d93bc40` (systemd-logind "System is rebooting/powering down."),
/// - `MESSAGE_ID=39f53479d3a045ac8e11786248231fbf` with `UNIT=` shutdown/reboot/poweroff/halt/kexec/final.target
///   (PID 1 "Reached target …", also when shutdown bypassed logind),
/// - `MESSAGE_ID=d93fb3c9c24d451a97cea615ce59c00b` (journald "Journal stopped", persistent storage), or
/// - a kernel line `reboot: Restarting system` / `reboot: Power down` / `reboot: System halted` /
///   `kexec_core: Starting new kernel`.
/// A crash, power loss, hard reset or kernel panic leaves none of these. Kernel error lines
/// (`BootEndRules.isKernelError`) among the previous boot's last kernel lines are reported as well.
/// Blocking: call from a thread that may block (the tailer does it on its own thread).
public enum BootHistory {
    /// All boots in the journal, oldest first (by first entry's realtime).
    public static func boots(in journal: SystemdJournal) throws(JournalError) -> [BootRecord] {
        journal.flushMatches()
        let ids = try journal.uniqueValues(of: "_BOOT_ID").map { String(decoding: $0, as: UTF8.self) }
        var boots: [BootRecord] = []
        for id in ids where id.utf8.count == 32 {
            journal.flushMatches()
            try journal.addMatch("_BOOT_ID=\(id)")
            try journal.seekHead()
            guard try journal.next() else { continue }
            let first = try journal.realtimeMicros()
            try journal.seekTail()
            guard try journal.previous() else { continue }
            let last = try journal.realtimeMicros()
            boots.append(BootRecord(bootID: id, firstRealtimeMicros: first, lastRealtimeMicros: last))
        }
        journal.flushMatches()
        return boots.sorted { ($0.firstRealtimeMicros, $0.bootID) < ($1.firstRealtimeMicros, $1.bootID) }
    }

    /// Opens `source` on the calling thread and summarizes the boot before `currentBootID`.
    public static func previousBootSummary(
        source: JournalSource, currentBootID: String, kernelScanLimit: Int = 5000, maxKernelErrors: Int = 20
    ) throws(JournalError) -> PreviousBootSummary? {
        let journal = try SystemdJournal(source: source)
        return try previousBootSummary(
            in: journal, currentBootID: currentBootID, kernelScanLimit: kernelScanLimit, maxKernelErrors: maxKernelErrors)
    }

    /// Summarizes the boot before `currentBootID` (when the current boot is not stored yet: the
    /// newest stored boot); nil when there is none. Changes the journal's matches and position.
    public static func previousBootSummary(
        in journal: SystemdJournal, currentBootID: String, kernelScanLimit: Int = 5000, maxKernelErrors: Int = 20
    ) throws(JournalError) -> PreviousBootSummary? {
        let boots = try boots(in: journal)
        let previous: BootRecord
        var currentFirst: UInt64?
        if let index = boots.firstIndex(where: { $0.bootID == currentBootID }) {
            guard index > 0 else { return nil }
            previous = boots[index - 1]
            currentFirst = boots[index].firstRealtimeMicros
        } else {
            guard let last = boots.last else { return nil }
            previous = last
        }

        var markers: [ShutdownMarker] = []
        // Structured markers, newest first; they sit at the end of the boot.
        journal.flushMatches()
        try journal.addMatch("_BOOT_ID=\(previous.bootID)")
        try journal.addMatch("MESSAGE_ID=\(BootEndRules.shutdownMessageID)")
        try journal.addMatch("MESSAGE_ID=\(BootEndRules.unitStartedMessageID)")
        try journal.addMatch("MESSAGE_ID=\(BootEndRules.journalStopMessageID)")
        try journal.seekTail()
        var scanned = 0
        while scanned < 10_000, try journal.previous() {
            scanned += 1
            guard let id = try journal.string("MESSAGE_ID") else { continue }
            if let marker = BootEndRules.shutdownMarker(
                messageID: id, unit: try journal.string("UNIT"), shutdownKind: try journal.string("SHUTDOWN")) {
                markers.append(marker)
            }
        }
        markers.reverse()

        // The last kernel lines: reboot lines and kernel errors.
        journal.flushMatches()
        try journal.addMatch("_BOOT_ID=\(previous.bootID)")
        try journal.addMatch("_TRANSPORT=kernel")
        try journal.seekTail()
        var errors: [KernelLine] = []
        var kernelMarkers: [ShutdownMarker] = []
        scanned = 0
        while scanned < kernelScanLimit, try journal.previous() {
            scanned += 1
            let message = try journal.data("MESSAGE") ?? []
            if let marker = BootEndRules.kernelRebootMarker(message) {
                kernelMarkers.append(marker)
            } else if BootEndRules.isKernelError(message), errors.count < maxKernelErrors {
                errors.append(try journal.entry().kernelLine)
            }
        }
        journal.flushMatches()
        markers.append(contentsOf: kernelMarkers.reversed())

        return PreviousBootSummary(
            bootID: previous.bootID,
            firstRealtimeMicros: Int64(clamping: previous.firstRealtimeMicros),
            lastRealtimeMicros: Int64(clamping: previous.lastRealtimeMicros),
            currentBootID: currentBootID,
            currentBootFirstRealtimeMicros: currentFirst.map { Int64(clamping: $0) },
            shutdownMarkers: markers,
            kernelErrors: errors.reversed()
        )
    }
}
