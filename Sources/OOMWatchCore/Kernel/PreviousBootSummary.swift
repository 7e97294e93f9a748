/// What the journal says about how the boot before the current one ended.
/// Core code turns this into a NodeReboot event when `endedUnexpectedly` is true.
public struct PreviousBootSummary: Sendable, Hashable {
    /// The previous boot's ID (`_BOOT_ID`, 32 hex digits).
    public var bootID: String
    /// Realtime (µs since epoch) of the previous boot's first and last journal entries.
    public var firstRealtimeMicros: Int64
    /// See `firstRealtimeMicros`.
    public var lastRealtimeMicros: Int64
    /// The current boot's ID.
    public var currentBootID: String
    /// Realtime (µs) of the current boot's first journal entry, when it has any.
    public var currentBootFirstRealtimeMicros: Int64?
    /// The clean-shutdown records found in the previous boot (empty: none, i.e. it crashed,
    /// lost power, was reset, or its last entries never reached disk).
    public var shutdownMarkers: [ShutdownMarker]
    /// Kernel error lines (BUG:, Oops, Kernel panic, …) among the previous boot's last kernel lines,
    /// oldest first, at most the limit the reader was given.
    public var kernelErrors: [KernelLine]

    /// Creates a summary.
    public init(
        bootID: String, firstRealtimeMicros: Int64, lastRealtimeMicros: Int64,
        currentBootID: String, currentBootFirstRealtimeMicros: Int64?,
        shutdownMarkers: [ShutdownMarker], kernelErrors: [KernelLine]
    ) {
        self.bootID = bootID
        self.firstRealtimeMicros = firstRealtimeMicros
        self.lastRealtimeMicros = lastRealtimeMicros
        self.currentBootID = currentBootID
        self.currentBootFirstRealtimeMicros = currentBootFirstRealtimeMicros
        self.shutdownMarkers = shutdownMarkers
        self.kernelErrors = kernelErrors
    }

    /// True when the previous boot left a clean-shutdown record.
    public var endedCleanly: Bool { !shutdownMarkers.isEmpty }

    /// The NodeReboot rule: no clean-shutdown record, or kernel BUG/Oops/panic lines before the end.
    public var endedUnexpectedly: Bool { shutdownMarkers.isEmpty || !kernelErrors.isEmpty }
}

/// A journal record that only an orderly shutdown writes (systemd 252).
public enum ShutdownMarker: Sendable, Hashable {
    /// systemd-logind: `System is rebooting.` / `System is powering down.` / … with
    /// `MESSAGE_ID=98268866d1d54a499c4e98921d93bc40` (SD_MESSAGE_SHUTDOWN); `SHUTDOWN=` names the kind.
    case logindShutdown(kind: String?)
    /// PID 1 reached a shutdown target (`MESSAGE_ID=39f53479d3a045ac8e11786248231fbf`,
    /// `UNIT=` shutdown/reboot/poweroff/halt/kexec/final.target): written also when logind is absent.
    case shutdownTargetReached(unit: String)
    /// systemd-journald `Journal stopped` (`MESSAGE_ID=d93fb3c9c24d451a97cea615ce59c00b`), written
    /// when it relinquishes /var/log/journal during shutdown.
    case journalStopped
    /// The kernel's own last words: `reboot: Restarting system`, `reboot: Power down`,
    /// `reboot: System halted`, `kexec_core: Starting new kernel` (rarely stored: journald is
    /// usually gone by then).
    case kernelReboot(message: String)
}

/// The pure rules used to read a boot's end from journal fields.
public enum BootEndRules {
    /// SD_MESSAGE_SHUTDOWN (logind "System is rebooting/powering down").
    public static let shutdownMessageID = "98268866d1d54a499c4e98921d93bc40"
    /// SD_MESSAGE_UNIT_STARTED ("Reached target …" for targets).
    public static let unitStartedMessageID = "39f53479d3a045ac8e11786248231fbf"
    /// SD_MESSAGE_JOURNAL_STOP ("Journal stopped").
    public static let journalStopMessageID = "d93fb3c9c24d451a97cea615ce59c00b"
    /// Targets whose activation means an orderly shutdown is under way.
    public static let shutdownTargets: Set<String> = [
        "shutdown.target", "reboot.target", "poweroff.target", "halt.target", "kexec.target", "final.target",
    ]
    private static let kernelRebootPrefixes: [[UInt8]] = [
        "reboot: Restarting system", "reboot: Power down", "reboot: System halted", "kexec_core: Starting new kernel",
    ].map { Array($0.utf8) }
    private static let kernelErrorPrefixes: [[UInt8]] = [
        "BUG: ", "Oops: ", "Oops ", "Kernel panic - not syncing", "general protection fault",
        "Unable to handle kernel", "watchdog: BUG: ",
    ].map { Array($0.utf8) }
    private static let kernelErrorInfixes: [[UInt8]] = ["kernel BUG at "].map { Array($0.utf8) }

    /// Classifies a non-kernel journal entry by its MESSAGE_ID (and UNIT / SHUTDOWN fields).
    public static func shutdownMarker(messageID: String, unit: String?, shutdownKind: String?) -> ShutdownMarker? {
        switch messageID {
        case shutdownMessageID: return .logindShutdown(kind: shutdownKind)
        case journalStopMessageID: return .journalStopped
        case unitStartedMessageID:
            if let unit, shutdownTargets.contains(unit) { return .shutdownTargetReached(unit: unit) }
            return nil
        default: return nil
        }
    }

    /// Classifies a kernel message as one of the kernel's reboot/power-off lines.
    public static func kernelRebootMarker(_ message: [UInt8]) -> ShutdownMarker? {
        for prefix in kernelRebootPrefixes where message.starts(with: prefix) {
            return .kernelReboot(message: String(decoding: message, as: UTF8.self))
        }
        return nil
    }

    /// True for kernel lines that report a kernel bug, oops or panic.
    public static func isKernelError(_ message: [UInt8]) -> Bool {
        for prefix in kernelErrorPrefixes where message.starts(with: prefix) { return true }
        for infix in kernelErrorInfixes where contains(message, infix) { return true }
        return false
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
