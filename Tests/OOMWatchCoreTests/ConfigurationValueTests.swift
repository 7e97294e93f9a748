import OOMWatchCore
import Testing

@Suite("Configuration values")
struct ConfigurationValueTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("5s", .seconds(5)), ("1m", .seconds(60)), ("1h", .seconds(3600)),
        ("1m30s", .seconds(90)), ("1.5s", .milliseconds(1500)), (" 2h ", .seconds(7200)), ("250us", .microseconds(250)),
    ])
    func durationsParse(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "5", "5x", "s", "-1s", "1.2.3s", "ms5", "99999999999999999999h"])
    func badDurationsAreErrors(text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.parse(text) }
    }

    @Test func durationsFormatRoundTrip() throws {
        for duration: Duration in [.milliseconds(500), .seconds(5), .seconds(90), .seconds(3600), .seconds(3725)] {
            #expect(try DurationText.parse(DurationText.format(duration)) == duration)
        }
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.milliseconds(500)) == "500ms")
    }

    @Test func listenAddresses() throws {
        #expect(try ListenAddress(parsing: "0.0.0.0:9847") == ListenAddress(host: "0.0.0.0", port: 9847))
        #expect(try ListenAddress(parsing: ":9847") == ListenAddress(host: "0.0.0.0", port: 9847))
        #expect(try ListenAddress(parsing: "[::1]:80") == ListenAddress(host: "::1", port: 80))
        #expect(try ListenAddress(parsing: "localhost:0") == ListenAddress(host: "localhost", port: 0))
        #expect(ListenAddress(host: "::1", port: 80).description == "[::1]:80")
        for bad in ["9847", "host:", "host:port", "host:70000", "::1:80", "[::1]80", "a b:1"] {
            #expect(throws: ListenAddress.ParseError.self, "\(bad)") { try ListenAddress(parsing: bad) }
        }
    }

    @Test func procStatWithHostileComm() throws {
        let line = "1234 (my (evil) proc) S 1 1234 1234 0 -1 4194560 500 0 0 0 150 25 0 0 20 0 7 0 4200 123456789 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0"
        let stat = try ProcessStat(parsing: Array(line.utf8))
        #expect(stat.userTicks == 150)
        #expect(stat.systemTicks == 25)
        #expect(stat.threads == 7)
        #expect(stat.startTicks == 4200)
        #expect(stat.virtualMemoryBytes == 123_456_789)
        #expect(stat.residentPages == 3000)
        #expect(throws: ProcessStat.ParseError.self) { try ProcessStat(parsing: Array("1234 (x) S 1 2".utf8)) }
        #expect(throws: ProcessStat.ParseError.self) { try ProcessStat(parsing: Array("garbage".utf8)) }
    }
}
