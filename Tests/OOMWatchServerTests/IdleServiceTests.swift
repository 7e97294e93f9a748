import Glibc
import Logging
import OOMWatchAdapters
import OOMWatchCore
@testable import OOMWatchServer
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

/// `ServiceGroup` shuts services down one at a time, in reverse order, and takes any other service that ends
/// meanwhile for a failure, whatever its `successTerminationBehavior`. A service with nothing to do that
/// returned at once made a SIGTERM in the daemon's first milliseconds end in exit status 1
/// ("Service failed(systemd-notify)", 2 of 1,200 early stops). Such services must run until the shutdown.
@Suite("Services with nothing to do run until the shutdown", .timeLimit(.minutes(1)))
struct IdleServiceTests {
    @Test(.enabled(if: getenv("NOTIFY_SOCKET") == nil, "SKIPPED: NOTIFY_SOCKET is set (run by systemd): the service has work to do"))
    func systemdIntegrationOutsideSystemdWaitsForTheShutdown() async throws {
        let logger = Logger(label: "test")
        let server = HTTPServer(configuration: HTTPServerConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0)),
                                router: Router(), logger: logger)
        let service = SystemdIntegrationService(notifier: SystemdNotifier(), server: server, logger: logger)
        await Self.expectRunsUntilTheShutdown(service)
    }

    @Test func codeTrimThatCannotTrimWaitsForTheShutdown() async throws {
        let schedule = CodeTrimSchedule(readyWait: .zero, settle: .seconds(30), interval: .seconds(600))
        // No /proc/self there: the first trim fails (as on a kernel before 5.4) and no more are tried.
        let trimmer = ExecutableCodeTrimmer(procSelf: "/nonexistent/oomwatch-idle-service-test")
        #expect(trimmer.trim().failure != nil)
        let service = CodeTrimService(schedule: schedule, trimmer: trimmer, readiness: Readiness(), logger: Logger(label: "test"))
        await Self.expectRunsUntilTheShutdown(service)
    }

    /// Runs `service`, checks it is still running a while later, then triggers the graceful shutdown and
    /// checks it ends.
    private static func expectRunsUntilTheShutdown(_ service: some Service, sourceLocation: SourceLocation = #_sourceLocation) async {
        let ended = EndedFlag()
        await testGracefulShutdown { trigger in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do { try await service.run() } catch { Issue.record("the service threw: \(error)", sourceLocation: sourceLocation) }
                    ended.value.store(true, ordering: .sequentiallyConsistent)
                }
                try? await Task.sleep(for: .milliseconds(300))
                let endedEarly = ended.value.load(ordering: .sequentiallyConsistent)
                #expect(!endedEarly, "ended before any shutdown was asked for", sourceLocation: sourceLocation)
                trigger.triggerGracefulShutdown()
                await group.waitForAll()
            }
        }
        let endedAtTheShutdown = ended.value.load(ordering: .sequentiallyConsistent)
        #expect(endedAtTheShutdown, sourceLocation: sourceLocation)
    }

    private final class EndedFlag: Sendable {
        let value = Atomic(false)
    }
}
