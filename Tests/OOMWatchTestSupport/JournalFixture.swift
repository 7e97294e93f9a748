import Foundation

/// Builds a journal file from journal export text with `systemd-journal-remote`, for deterministic
/// replay tests. The resulting directory holds one `fixture.journal`.
public enum JournalFixture {
    /// The converter shipped by the `systemd-journal-remote` package.
    public static let converter = "/lib/systemd/systemd-journal-remote"

    /// True when the converter is installed.
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: converter) }

    /// Converts `exportFile` into `<new temp dir>/fixture.journal`; returns the directory.
    public static func makeJournalDirectory(from exportFile: String) throws -> String {
        let directory = NSTemporaryDirectory() + "oomwatch-fixture-journal-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try convert(exportFile, to: directory + "/fixture.journal")
        return directory
    }

    /// Runs `systemd-journal-remote --compress=no -o <output> <exportFile>` (output must end in `.journal`).
    public static func convert(_ exportFile: String, to output: String) throws {
        let (status, text) = try Tools.run(converter, ["--compress=no", "-o", output, exportFile])
        guard status == 0 else { throw FixtureError.converterFailed(status: status, stderr: text) }
    }

    /// The converter failed.
    public enum FixtureError: Error, CustomStringConvertible {
        case converterFailed(status: Int32, stderr: String)
        public var description: String {
            switch self {
            case .converterFailed(let status, let stderr): "systemd-journal-remote exited \(status): \(stderr)"
            }
        }
    }
}
