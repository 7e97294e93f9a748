import Logging
import OOMWatchAdapters
import ServiceLifecycle

/// Tells systemd (`Type=notify`) when the daemon is ready and when it stops, and keeps its watchdog
/// fed at half the `WatchdogSec=` interval. Does nothing when not run by systemd, but still runs until
/// the shutdown: `ServiceGroup` takes a service that ends while others are being shut down for a failure
/// (a SIGTERM in the first milliseconds then made the daemon exit 1).
struct SystemdIntegrationService: Service {
    let notifier: SystemdNotifier
    let server: HTTPServer
    let logger: Logger

    func run() async throws {
        guard notifier.isEnabled else {
            try? await gracefulShutdown()
            return
        }
        let address = try await server.boundAddress()
        notifier.ready(status: "serving on \(address)")
        logger.debug("notified systemd: ready")
        if let interval = notifier.watchdogInterval.map({ $0 / 2 }) {
            try? await cancelWhenGracefulShutdown {
                while true {
                    notifier.watchdogPing()
                    try await Task.sleep(for: interval)
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        notifier.stopping()
    }
}
