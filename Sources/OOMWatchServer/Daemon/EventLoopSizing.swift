import NIOCore

/// How many NIO event-loop threads the process runs.
///
/// SwiftNIO's shared event-loop group starts one thread per core, and each keeps a task buffer of ~200 KiB:
/// on a 64-core node that is 64 threads and ~12 MiB for an agent serving a scrape every 15 seconds. The
/// daemon's event loop only moves bytes (accepting, reading requests, writing answers); routes, rendering
/// and polls run on Swift's concurrency pool and a polling thread of their own. One loop is enough on any node.
public enum EventLoopSizing {
    /// Threads of the shared event-loop group.
    public static let threads = 1

    /// Sizes the shared group. Call once, first thing in `main`, before anything uses SwiftNIO (NIO
    /// crashes on a second call or when its singletons already started).
    public static func configureSharedGroup() {
        NIOSingletons.groupLoopCountSuggestion = threads
    }
}
