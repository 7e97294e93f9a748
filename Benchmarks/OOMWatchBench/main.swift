// oomwatch-bench: benchmark harness (`make bench`). Subcommands are added as features land.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
print("oomwatch-bench: no benchmarks registered yet (arguments: \(arguments))")
