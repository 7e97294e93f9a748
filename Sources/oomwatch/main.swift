import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
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
