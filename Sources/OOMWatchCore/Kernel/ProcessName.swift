/// A process name (`comm`) exactly as the kernel printed it.
///
/// The kernel copies `task->comm` (up to 15 bytes) into the log verbatim: spaces,
/// parentheses and bytes that are not valid UTF-8 all occur in practice (`(sd-pam)`,
/// `Web Content`, `my proc (1)`). The raw bytes are kept; `display` is a readable,
/// reversible rendering with invalid bytes as `\xNN`. Encodes as that display string.
public struct ProcessName: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The raw bytes of the name.
    public var bytes: [UInt8]

    /// Creates a name from raw bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Creates a name from its display form (`\xNN` escapes become bytes).
    public init(display: String) {
        self.bytes = EscapedText.bytes(from: display)
    }

    /// Creates a name from a string literal (UTF-8; `\xNN` escapes are decoded).
    public init(stringLiteral value: String) {
        self.init(display: value)
    }

    /// The name as text; invalid UTF-8 and control bytes are shown as `\xNN`.
    public var display: String { EscapedText.string(from: bytes) }

    /// Same as `display`.
    public var description: String { display }

    /// Whether the raw bytes are valid UTF-8 without control characters.
    public var isCleanText: Bool { EscapedText.bytes(from: display) == bytes && !display.contains("\\x") }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(display: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(display)
    }
}
