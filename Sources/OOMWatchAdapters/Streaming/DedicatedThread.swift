#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A detached POSIX thread for a blocking reader (journal, kmsg). Foundation's `Thread` did this before;
/// the daemon links FoundationEssentials only, which has no threads (see `YAMLComposer` for why).
enum DedicatedThread {
    /// What the new thread runs, handed over as its start argument.
    fileprivate final class Start: Sendable {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts `body` on a new thread named `name` (the kernel keeps its first 15 bytes); the errno of
    /// `pthread_create` when the thread could not be made (then `body` does not run), nil on success.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Int32? {
        let argument = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let code = pthread_create(&thread, &attributes, dedicatedThreadEntry, argument)
        pthread_attr_destroy(&attributes)
        guard code == 0 else {
            Unmanaged<Start>.fromOpaque(argument).release()
            return code
        }
        return nil
    }

    /// Names the calling thread through /proc/thread-self/comm (Swift's Glibc module lacks
    /// `pthread_setname_np`); a name that cannot be set is only cosmetic, so failures are ignored.
    fileprivate static func nameCurrentThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}

/// The new thread's entry: takes back its `Start` and runs it.
private func dedicatedThreadEntry(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    let start = Unmanaged<DedicatedThread.Start>.fromOpaque(argument).takeRetainedValue()
    DedicatedThread.nameCurrentThread(start.name)
    start.body()
    return nil
}
