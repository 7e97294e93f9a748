import Glibc

/// A small blocking HTTP/1.1 client over a plain TCP socket, for the terminal commands that query a
/// running daemon: one `GET` per connection (`Connection: close`), a deadline for the whole exchange,
/// and a cap on the response size.
public struct PlainHTTPClient: Sendable {
    public var server: ServerURL
    /// Deadline for connecting, sending and receiving one response.
    public var timeout: Duration
    /// Largest response accepted.
    public var maximumResponseBytes: Int

    public init(server: ServerURL, timeout: Duration = .seconds(10), maximumResponseBytes: Int = 64 << 20) {
        self.server = server
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// `GET path` (relative to the server's base path, with its query); any status is returned.
    public func get(_ path: String) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = ContinuousClock.now + timeout
        let fd = try connect(deadline: deadline)
        defer { close(fd) }
        let request = "GET \(server.basePath)\(path) HTTP/1.1\r\nHost: \(server.hostHeader)\r\nUser-Agent: oomwatch-cli\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        try send(Array(request.utf8), fd: fd, deadline: deadline)
        return try HTTPClientResponse.parse(try receiveAll(fd: fd, deadline: deadline))
    }

    private func connect(deadline: ContinuousClock.Instant) throws(HTTPClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(server.host, String(server.port), &hints, &list)
        guard status == 0, let first = list else {
            throw .unresolvable(host: server.host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = Self.errnoText(); continue }
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else { lastError = Self.errnoText(); close(fd); continue }
            guard wait(fd: fd, events: Int16(POLLOUT), deadline: deadline) else {
                lastError = "timed out after \(timeout)"
                close(fd)
                continue
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { return fd }
            lastError = String(cString: strerror(error))
            close(fd)
        }
        throw .connection("cannot connect to \(server): \(lastError)")
    }

    private func send(_ bytes: [UInt8], fd: Int32, deadline: ContinuousClock.Instant) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 { offset += sent; continue }
            guard sent < 0, errno == EAGAIN || errno == EINTR else { throw .connection("sending to \(server): \(Self.errnoText())") }
            guard wait(fd: fd, events: Int16(POLLOUT), deadline: deadline) else { throw .connection("\(server) did not take the request within \(timeout)") }
        }
    }

    private func receiveAll(fd: Int32, deadline: ContinuousClock.Instant) throws(HTTPClientError) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
                guard data.count <= maximumResponseBytes else { throw .responseTooLarge(limit: maximumResponseBytes) }
                continue
            }
            if count == 0 { return data }
            guard errno == EAGAIN || errno == EINTR else { throw .connection("reading from \(server): \(Self.errnoText())") }
            guard wait(fd: fd, events: Int16(POLLIN), deadline: deadline) else {
                throw .connection("\(server) did not answer within \(timeout) (\(data.count) bytes received)")
            }
        }
    }

    /// Polls `fd` until `events` or the deadline; false on timeout.
    private func wait(fd: Int32, events: Int16, deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            let ms = Int32(clamping: max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, ms)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the following call report the error
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
