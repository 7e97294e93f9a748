/// The parts of a systemd journal cursor (`s=…;i=…;b=…;m=…;t=…;x=…`), for comparing positions
/// when the exact entry is gone (vacuumed) and for telling which boot a stored cursor belongs to.
/// A cursor is opaque to sd-journal's API; this parse is best effort and never needed to seek.
public struct JournalCursor: Sendable, Hashable {
    /// The full cursor text.
    public var text: String
    /// `s=`: the sequence-number ID of the journal file set.
    public var seqnumID: String?
    /// `i=`: the entry's sequence number within `seqnumID`.
    public var seqnum: UInt64?
    /// `b=`: the boot ID.
    public var bootID: String?
    /// `m=`: CLOCK_MONOTONIC microseconds at ingestion.
    public var monotonicMicros: UInt64?
    /// `t=`: CLOCK_REALTIME microseconds at ingestion.
    public var realtimeMicros: UInt64?

    /// Parses a cursor; returns nil when the text has none of the known fields.
    public init?(_ text: String) {
        self.text = text
        var any = false
        for part in text.split(separator: ";") {
            let bytes = Array(part.utf8)
            guard bytes.count >= 2, bytes[1] == UInt8(ascii: "=") else { continue }
            let value = String(decoding: bytes[2...], as: UTF8.self)
            switch bytes[0] {
            case UInt8(ascii: "s"): seqnumID = value; any = true
            case UInt8(ascii: "i"): seqnum = UInt64(value, radix: 16); any = true
            case UInt8(ascii: "b"): bootID = value; any = true
            case UInt8(ascii: "m"): monotonicMicros = UInt64(value, radix: 16); any = true
            case UInt8(ascii: "t"): realtimeMicros = UInt64(value, radix: 16); any = true
            default: break
            }
        }
        if !any { return nil }
    }
}
