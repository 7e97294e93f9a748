import Foundation
import Testing
@testable import OOMWatchCore

/// Inputs found by the KernelParserFuzz target; each must now satisfy the fuzz invariants.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static func regressionFiles() throws -> [URL] {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures/fuzz-regressions", withExtension: nil))
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
    }

    @Test("export reader: byte-chunked parse equals one-shot parse on every regression input")
    func exportChunking() throws {
        let files = try Self.regressionFiles()
        #expect(!files.isEmpty)
        for url in files {
            let data = Array(try Data(contentsOf: url))
            var reader = JournalExportReader(maxFieldSize: 1 << 16)
            var chunked: [JournalExportEntry] = []
            var i = 0
            while i < data.count {
                let e = min(data.count, i + 7)
                chunked += reader.feed(Array(data[i..<e]))
                i = e
            }
            chunked += reader.finish()
            var whole = JournalExportReader(maxFieldSize: 1 << 16)
            var once = whole.feed(data)
            once += whole.finish()
            #expect(chunked == once, "\(url.lastPathComponent)")
            _ = KernelLogAnalysis.analyze(data)
        }
    }
}
