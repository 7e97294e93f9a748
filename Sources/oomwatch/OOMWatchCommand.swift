import ArgumentParser
import OOMWatchServer

/// `oomwatch`: the root command. `run` is the default subcommand.
struct OOMWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oomwatch",
        abstract: "Per-node memory and OOM-kill monitor for Kubernetes and systemd hosts.",
        discussion: "Every option of 'run' can also be set with an OOMWATCH_* environment variable (e.g. OOMWATCH_LISTEN); the command line wins.",
        version: BuildInfo.version,
        subcommands: [RunCommand.self, DiagnoseCommand.self, ParseCommand.self, EventsCommand.self, StatusCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
