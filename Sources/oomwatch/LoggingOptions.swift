import ArgumentParser
import Logging
import OOMWatchServer

/// `--log-level`.
enum LogLevelOption: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}

/// `--log-format`.
enum LogFormatOption: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum DaemonLogging {
    /// Sets up swift-log for the daemon once, and returns its logger.
    static func bootstrap(level: Logger.Level, format: LogFormatOption) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = switch format {
            case .text: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler(label: label)
            }
            handler.logLevel = level
            return handler
        }
        return Logger(label: "oomwatch")
    }
}
