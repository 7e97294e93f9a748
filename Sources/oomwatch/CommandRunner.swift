import ArgumentParser
import OOMWatchAdapters
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parses and runs a command, mapping errors to the documented exit codes:
/// 0 success, 1 runtime failure, 2 usage error (bad option or value).
enum CommandRunner {
    static let usageExitCode: Int32 = 2

    static func run<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]) async -> Int32 {
        var command: any ParsableCommand
        do {
            command = try root.parseAsRoot(arguments)
        } catch {
            return report(error, root: root)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            return report(error, root: root)
        }
    }

    private static func report<Root: ParsableCommand>(_ error: any Error, root: Root.Type) -> Int32 {
        let code = root.exitCode(for: error)
        let message = root.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            return 0
        }
        if !message.isEmpty { StandardStream.writeError(message + "\n") }
        if code == .validationFailure { return usageExitCode }
        return code.rawValue == 0 ? 1 : code.rawValue
    }
}
