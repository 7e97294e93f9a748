import ArgumentParser
import Foundation
import OOMWatchServer

// One event-loop thread whatever the node's core count (see EventLoopSizing).
EventLoopSizing.configureSharedGroup()

// Options can come from OOMWATCH_* environment variables (for the DaemonSet); the command line wins.
let arguments = EnvironmentOptions.merge(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment
)
let status = await CommandRunner.run(OOMWatchCommand.self, arguments: arguments)
exit(status)
