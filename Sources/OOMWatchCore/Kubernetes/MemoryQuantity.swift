/// Why a Kubernetes resource quantity could not be read as a number of bytes.
public struct QuantityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong with the text.
    public enum Reason: Equatable, Sendable {
        /// The text was empty or only whitespace.
        case empty
        /// The numeric part is not a decimal number.
        case invalidNumber
        /// The suffix is not one of Ki Mi Gi Ti Pi Ei, k K M G T P E, m, or an e-notation exponent.
        case unknownSuffix(String)
        /// Memory cannot be negative.
        case negative
        /// The value does not fit in a signed 64-bit number of bytes.
        case outOfRange
    }

    /// The text as it was given.
    public let input: String
    /// What was wrong with it.
    public let reason: Reason

    public init(input: String, reason: Reason) {
        self.input = input
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .empty: "empty quantity"
        case .invalidNumber: "invalid quantity '\(input)': not a number"
        case .unknownSuffix(let suffix): "invalid quantity '\(input)': unknown suffix '\(suffix)' (expected Ki, Mi, Gi, Ti, k, M, G, T or e-notation)"
        case .negative: "invalid quantity '\(input)': memory cannot be negative"
        case .outOfRange: "invalid quantity '\(input)': too large"
        }
    }
}

/// Reads Kubernetes resource quantities (`512Mi`, `1.5Gi`, `1G`, `128974848`, `129e6`, `100m`)
/// as whole bytes, the way the API server does: exact decimal arithmetic, fractions rounded up.
public enum MemoryQuantity {
    /// Parses `text` into bytes. Binary suffixes (Ki … Ei) are powers of 1024, decimal ones
    /// (k/K, M, G, T, P, E) powers of 1000, `m` is milli (a fraction of a byte, rounded up), and
    /// `e`/`E` followed by digits is a decimal exponent.
    public static func bytes(_ text: String) throws(QuantityError) -> Int64 {
        let utf8 = Array(text.utf8)
        var start = 0
        var end = utf8.count
        while start < end, isSpace(utf8[start]) { start += 1 }
        while end > start, isSpace(utf8[end - 1]) { end -= 1 }
        guard start < end else { throw QuantityError(input: text, reason: .empty) }

        var index = start
        var negative = false
        if utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
            negative = utf8[index] == UInt8(ascii: "-")
            index += 1
        }
        // Mantissa: digits with at most one '.', kept exactly as an integer and a count of fraction digits.
        var mantissa: Int128 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while index < end {
            let byte = utf8[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                guard mantissa < mantissaLimit else { throw QuantityError(input: text, reason: .outOfRange) }
                mantissa = mantissa * 10 + Int128(byte - UInt8(ascii: "0"))
                if sawPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { throw QuantityError(input: text, reason: .invalidNumber) }
        while fractionDigits > 0 && mantissa % 10 == 0 {
            mantissa /= 10
            fractionDigits -= 1
        }

        let suffix = utf8[index..<end]
        var binaryShift = 0
        var decimalExponent = 0
        if suffix.isEmpty {
            // A plain number of bytes.
        } else if let shift = binarySuffixShift(suffix) {
            binaryShift = shift
        } else if let exponent = decimalSuffixExponent(suffix) {
            decimalExponent = exponent
        } else if let exponent = scientificExponent(suffix) {
            decimalExponent = exponent
        } else {
            throw QuantityError(input: text, reason: .unknownSuffix(String(decoding: suffix, as: UTF8.self)))
        }
        if mantissa == 0 { return 0 }
        if negative { throw QuantityError(input: text, reason: .negative) }

        // value = mantissa * 2^binaryShift * 10^exponent, rounded up to a whole byte.
        let exponent = decimalExponent - fractionDigits
        let limit = Int128(Int64.max)
        guard mantissa <= (Int128.max >> binaryShift) else { throw QuantityError(input: text, reason: .outOfRange) }
        let numerator = mantissa << binaryShift
        var value: Int128
        if exponent >= 0 {
            value = numerator
            for _ in 0..<exponent {
                value *= 10
                guard value <= limit else { throw QuantityError(input: text, reason: .outOfRange) }
            }
        } else if -exponent > 38 {
            // 10^39 exceeds every possible numerator: a positive amount below one byte rounds up to one.
            value = 1
        } else {
            var denominator: Int128 = 1
            for _ in 0..<(-exponent) { denominator *= 10 }
            let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
            value = remainder == 0 ? quotient : quotient + 1
        }
        guard value <= limit else { throw QuantityError(input: text, reason: .outOfRange) }
        return Int64(value)
    }

    /// Mantissas at or above 10^30 are refused: no byte count that fits Int64 needs that many digits.
    private static let mantissaLimit: Int128 = 1_000_000_000_000_000_000_000_000_000_000

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func binarySuffixShift(_ suffix: ArraySlice<UInt8>) -> Int? {
        guard suffix.count == 2, suffix.last == UInt8(ascii: "i"), let first = suffix.first else { return nil }
        switch first {
        case UInt8(ascii: "K"): return 10
        case UInt8(ascii: "M"): return 20
        case UInt8(ascii: "G"): return 30
        case UInt8(ascii: "T"): return 40
        case UInt8(ascii: "P"): return 50
        case UInt8(ascii: "E"): return 60
        default: return nil
        }
    }

    private static func decimalSuffixExponent(_ suffix: ArraySlice<UInt8>) -> Int? {
        guard suffix.count == 1, let first = suffix.first else { return nil }
        switch first {
        case UInt8(ascii: "m"): return -3
        case UInt8(ascii: "k"), UInt8(ascii: "K"): return 3
        case UInt8(ascii: "M"): return 6
        case UInt8(ascii: "G"): return 9
        case UInt8(ascii: "T"): return 12
        case UInt8(ascii: "P"): return 15
        case UInt8(ascii: "E"): return 18
        default: return nil
        }
    }

    /// `e3`, `E6`, `e+3`, `e-2`: a decimal exponent of at most three digits.
    private static func scientificExponent(_ suffix: ArraySlice<UInt8>) -> Int? {
        guard let first = suffix.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else { return nil }
        var rest = suffix.dropFirst()
        var sign = 1
        if let s = rest.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") {
            sign = s == UInt8(ascii: "-") ? -1 : 1
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty, rest.count <= 3 else { return nil }
        var exponent = 0
        for byte in rest {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return sign * exponent
    }
}
