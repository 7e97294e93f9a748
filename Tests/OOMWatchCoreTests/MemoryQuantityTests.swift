import Testing
@testable import OOMWatchCore

@Suite struct MemoryQuantityTests {
    @Test(arguments: [
        ("512Mi", Int64(536_870_912)),
        ("1Gi", 1_073_741_824),
        ("1.5Gi", 1_610_612_736),
        ("100Ki", 102_400),
        ("1Ti", 1_099_511_627_776),
        ("1Pi", 1_125_899_906_842_624),
        ("7Ei", 8_070_450_532_247_928_832),
        ("1k", 1_000),
        ("1K", 1_000),
        ("300M", 300_000_000),
        ("2G", 2_000_000_000),
        ("1T", 1_000_000_000_000),
        ("129e6", 129_000_000),
        ("129E6", 129_000_000),
        ("1e3", 1_000),
        ("12e-1", 2),
        ("128974848", 128_974_848),
        ("0", 0),
        ("0Gi", 0),
        ("100m", 1),
        ("1500m", 2),
        ("0.5", 1),
        (".5Gi", 536_870_912),
        ("5.Mi", 5_242_880),
        ("  256Mi ", 268_435_456),
        ("+1Ki", 1_024),
        ("1.000000000000000000000000Gi", 1_073_741_824),
        ("0.1Ki", 103),
    ])
    func parsesBytes(input: String, expected: Int64) throws {
        #expect(try MemoryQuantity.bytes(input) == expected)
    }

    @Test(arguments: [
        ("", QuantityError.Reason.empty),
        ("   ", .empty),
        ("abc", .invalidNumber),
        ("Gi", .invalidNumber),
        ("5Gx", .unknownSuffix("Gx")),
        ("5 Gi", .unknownSuffix(" Gi")),
        ("1.2.3", .unknownSuffix(".3")),
        ("5gi", .unknownSuffix("gi")),
        ("-1Gi", .negative),
        ("8Ei", .outOfRange),
        ("16Ei", .outOfRange),
        ("1e19", .outOfRange),
        ("99999999999999999999", .outOfRange),
        ("1e1234", .unknownSuffix("e1234")),
    ])
    func rejects(input: String, reason: QuantityError.Reason) {
        #expect(throws: QuantityError(input: input, reason: reason)) { try MemoryQuantity.bytes(input) }
    }

    @Test func errorsDescribeTheInput() {
        let error = QuantityError(input: "5Gx", reason: .unknownSuffix("Gx"))
        #expect(error.description == "invalid quantity '5Gx': unknown suffix 'Gx' (expected Ki, Mi, Gi, Ti, k, M, G, T or e-notation)")
    }

    @Test func thresholdsAreBytesOrPercentages() throws {
        #expect(try MemoryThreshold.parse("100Mi") == .bytes(104_857_600))
        #expect(try MemoryThreshold.parse("10%") == .percentage(10))
        #expect(try MemoryThreshold.parse(" 7.5% ") == .percentage(7.5))
        #expect(MemoryThreshold.percentage(5).bytes(ofCapacity: 1_000_003) == 50_000)
        #expect(MemoryThreshold.bytes(42).bytes(ofCapacity: 1) == 42)
        #expect(throws: QuantityError(input: "150%", reason: .outOfRange)) { try MemoryThreshold.parse("150%") }
        #expect(throws: QuantityError(input: "x%", reason: .invalidNumber)) { try MemoryThreshold.parse("x%") }
        #expect(throws: QuantityError(input: "-5%", reason: .negative)) { try MemoryThreshold.parse("-5%") }
        #expect(MemoryThreshold.percentage(7.5).text == "7.5%")
        #expect(MemoryThreshold.bytes(104_857_600).text == "100 MiB")
    }
}

@Suite struct MemoryTextTests {
    @Test func formatsBytes() {
        #expect(MemoryText.bytes(0) == "0 B")
        #expect(MemoryText.bytes(1023) == "1023 B")
        #expect(MemoryText.bytes(1024) == "1 KiB")
        #expect(MemoryText.bytes(536_870_912) == "512 MiB")
        #expect(MemoryText.bytes(1_610_612_736) == "1.5 GiB")
        #expect(MemoryText.bytes(188 << 30) == "188 GiB")
        #expect(MemoryText.bytes(197_118_148 * 1024) == "188 GiB")
        #expect(MemoryText.bytes(10_276_044_800) == "9.6 GiB")
        #expect(MemoryText.bytes((1 << 30) - 1) == "1 GiB")
        #expect(MemoryText.bytes(-2048) == "-2 KiB")
    }

    @Test func formatsPercentages() {
        #expect(MemoryText.percent(0.5 / 188) == "0.27%")
        #expect(MemoryText.percent(0.075) == "7.5%")
        #expect(MemoryText.percent(0.97) == "97%")
        #expect(MemoryText.percent(1.0) == "100%")
        #expect(MemoryText.percent(0) == "0.00%")
        #expect(MemoryText.percent(.nan) == "n/a")
    }
}
