/// One record read from `/dev/kmsg`, decoded.
///
/// The kernel writes each record as `prio,seq,ts_usec,flags[,more];message\n`, followed by optional
/// continuation lines ` KEY=value\n` (the record's dictionary, e.g. `SUBSYSTEM=`, `DEVICE=`).
/// Bytes that are not printable ASCII (and the backslash itself) are escaped as `\xNN` in both the
/// message and the dictionary values; `parse` decodes them back to the raw bytes.
public struct KmsgRecord: Sendable, Hashable {
    /// syslog facility (`prio >> 3`): 0 for the kernel, 1 (user) for lines written to `/dev/kmsg`.
    public var facility: UInt8
    /// syslog level (`prio & 7`): 0 emerg … 7 debug.
    public var level: UInt8
    /// The kernel's 64-bit record sequence number; gaps mean records were overwritten (overrun).
    public var sequence: UInt64
    /// Kernel timestamp of the record, CLOCK_MONOTONIC microseconds of the current boot.
    public var timestampMicros: Int64
    /// The flags field as written by the kernel: `-` (whole line), `c` or `+` (legacy continuation).
    public var flags: UInt8
    /// The message, unescaped (raw bytes, may be invalid UTF-8).
    public var message: [UInt8]
    /// Continuation lines ` KEY=value`, unescaped, in the order the kernel wrote them.
    public var properties: [KmsgProperty]

    /// Creates a record from its decoded parts.
    public init(
        facility: UInt8, level: UInt8, sequence: UInt64, timestampMicros: Int64,
        flags: UInt8 = UInt8(ascii: "-"), message: [UInt8], properties: [KmsgProperty] = []
    ) {
        self.facility = facility
        self.level = level
        self.sequence = sequence
        self.timestampMicros = timestampMicros
        self.flags = flags
        self.message = message
        self.properties = properties
    }

    /// The record as a source-independent kernel line (sequence, monotonic time, priority = level).
    public var kernelLine: KernelLine {
        KernelLine(
            message: message,
            realtimeMicros: nil,
            monotonicMicros: timestampMicros,
            bootID: nil,
            cursor: nil,
            sequence: sequence,
            priority: level
        )
    }

    /// Parses one record as returned by one `read(2)` of `/dev/kmsg`. A trailing newline is optional.
    public static func parse(_ bytes: [UInt8]) throws(KmsgParseError) -> KmsgRecord {
        try bytes.withUnsafeBufferPointer { buffer throws(KmsgParseError) in try parse(buffer) }
    }

    /// Parses one record from a byte buffer (see `parse(_: [UInt8])`).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(KmsgParseError) -> KmsgRecord {
        let semicolon = UInt8(ascii: ";")
        let comma = UInt8(ascii: ",")
        let newline = UInt8(ascii: "\n")
        guard let headerEnd = bytes.firstIndex(of: semicolon) else { throw .missingSemicolon }

        // Header: prio,seq,ts_usec,flags[,further fields ignored]
        var fieldStart = 0
        var fieldIndex = 0
        var prio: UInt64 = 0
        var sequence: UInt64 = 0
        var timestamp: UInt64 = 0
        var flags = UInt8(ascii: "-")
        var index = 0
        while index <= headerEnd {
            if index == headerEnd || bytes[index] == comma {
                let field = UnsafeBufferPointer(rebasing: bytes[fieldStart..<index])
                switch fieldIndex {
                case 0: guard let value = parseDecimal(field), value <= 1023 else { throw .badHeaderField("prio") }
                    prio = value
                case 1: guard let value = parseDecimal(field) else { throw .badHeaderField("seq") }
                    sequence = value
                case 2: guard let value = parseDecimal(field), value <= UInt64(Int64.max) else { throw .badHeaderField("ts_usec") }
                    timestamp = value
                case 3: flags = field.first ?? UInt8(ascii: "-")
                default: break
                }
                fieldIndex += 1
                fieldStart = index + 1
            }
            index += 1
        }
        guard fieldIndex >= 3 else { throw .missingHeaderFields }

        // Message: up to the first newline; then continuation lines starting with a space.
        let bodyStart = headerEnd + 1
        var messageEnd = bytes.count
        if let nl = bytes[bodyStart...].firstIndex(of: newline) { messageEnd = nl }
        let message = unescape(UnsafeBufferPointer(rebasing: bytes[bodyStart..<messageEnd]))

        var properties: [KmsgProperty] = []
        var lineStart = messageEnd + 1
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: newline) ?? bytes.count
            if lineEnd > lineStart, bytes[lineStart] == UInt8(ascii: " ") {
                let line = UnsafeBufferPointer(rebasing: bytes[(lineStart + 1)..<lineEnd])
                if let equals = line.firstIndex(of: UInt8(ascii: "=")) {
                    let key = String(decoding: UnsafeBufferPointer(rebasing: line[..<equals]), as: UTF8.self)
                    let value = unescape(UnsafeBufferPointer(rebasing: line[(equals + 1)...]))
                    properties.append(KmsgProperty(key: key, value: value))
                }
            }
            lineStart = lineEnd + 1
        }
        return KmsgRecord(
            facility: UInt8(truncatingIfNeeded: prio >> 3),
            level: UInt8(truncatingIfNeeded: prio & 7),
            sequence: sequence,
            timestampMicros: Int64(timestamp),
            flags: flags,
            message: message,
            properties: properties
        )
    }

    /// Decodes the kernel's `\xNN` escapes; any other backslash sequence is kept verbatim.
    public static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 3 < count,
               bytes[index + 1] == UInt8(ascii: "x"),
               let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3]) {
                output.append(high << 4 | low)
                index += 4
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func parseDecimal(_ field: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !field.isEmpty, field.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in field {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}

/// One ` KEY=value` continuation line of a kmsg record.
public struct KmsgProperty: Sendable, Hashable {
    /// The key, e.g. `SUBSYSTEM` or `DEVICE`.
    public var key: String
    /// The unescaped value bytes.
    public var value: [UInt8]

    /// Creates a property.
    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// Why a `/dev/kmsg` record could not be parsed.
public enum KmsgParseError: Error, Sendable, Hashable {
    /// No `;` separating the header from the message.
    case missingSemicolon
    /// Fewer than the three mandatory header fields (prio, seq, ts_usec).
    case missingHeaderFields
    /// A header field that is not a valid number (named).
    case badHeaderField(String)
}
