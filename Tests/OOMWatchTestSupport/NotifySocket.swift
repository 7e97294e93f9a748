import Foundation
import Glibc

/// A unix datagram socket standing in for systemd's `NOTIFY_SOCKET`, to see what the daemon tells it.
/// It is drained all the time, as systemd does: a unix datagram queue holds only
/// `net.unix.max_dgram_qlen` (10) messages, and a full one blocks the sender's `sd_notify`.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let inbox: Inbox

    /// What the draining thread shares with the owner; the thread closes the socket when asked to stop.
    private final class Inbox: @unchecked Sendable {
        let lock = NSLock()
        var messages: [String] = []
        var stopped = false
        let fd: Int32
        let path: String
        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        func drain() {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !lock.withLock({ stopped }) {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 50) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    let message = String(decoding: buffer[0..<n], as: UTF8.self)
                    lock.withLock { messages.append(message) }
                }
            }
            close(fd)
            unlink(path)
        }
    }

    public init() throws {
        path = NSTemporaryDirectory() + "oomwatch-notify-\(getpid())-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackClient.Failure(description: "socket(AF_UNIX) failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count - 1) + [0])
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw LoopbackClient.Failure(description: "bind \(path): \(String(cString: strerror(errno)))")
        }
        let inbox = Inbox(fd: fd, path: path)
        self.inbox = inbox
        Thread { inbox.drain() }.start()
    }

    deinit {
        inbox.lock.withLock { inbox.stopped = true }
    }

    /// Every message received so far and not yet taken by `waitFor`, oldest first.
    public var received: [String] { inbox.lock.withLock { inbox.messages } }

    /// The first message containing `needle` (it and the messages before it are taken), waiting up to `timeout`.
    public func waitFor(_ needle: String, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found: String? = inbox.lock.withLock {
                guard let index = inbox.messages.firstIndex(where: { $0.contains(needle) }) else { return nil }
                let message = inbox.messages[index]
                inbox.messages.removeSubrange(...index)
                return message
            }
            if let found { return found }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
