import Foundation
import Glibc

/// A deliberately low-level HTTP client over a plain TCP socket to 127.0.0.1, so tests can send exactly
/// the bytes they want (slowloris, pipelining, oversized headers) and see exactly what comes back.
public final class LoopbackClient: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    private var fd: Int32
    /// Bytes received but not yet returned (pipelined responses arrive together).
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(message)")
        }
    }

    deinit { close() }

    /// Closes with a TCP reset (SO_LINGER 0) instead of a FIN: the abrupt drop of a crashed client.
    public func abort() {
        guard fd >= 0 else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// Sends all of `bytes`; false when the peer has closed.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads whatever arrives until the peer closes or `timeout` passes with nothing new.
    /// Returns the bytes and whether the peer closed the connection.
    public func readUntilClosed(timeout: Duration) -> (bytes: [UInt8], closed: Bool) {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&pfd, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { return (result, false) }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (result, true) }
            result.append(contentsOf: buffer[0..<n])
        }
    }

    /// Reads one complete response (head and a Content-Length body).
    public func readResponse(timeout: Duration = .seconds(5), expectBody: Bool = true) throws -> LoopbackResponse {
        var data = pending
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let (response, used) = LoopbackResponse.parse(data, expectBody: expectBody) {
                pending = Array(data[used...])
                return response
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw Failure(description: "no complete response within \(timeout); got \(data.count) bytes") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&pfd, 1, ms) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "connection closed after \(data.count) bytes: \(String(decoding: data, as: UTF8.self))") }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// One request on a new connection.
    public static func get(port: Int, path: String, method: String = "GET") async throws -> LoopbackResponse {
        let client = try LoopbackClient(port: port)
        client.send("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return try await client.response()
    }

    /// `readResponse` on a thread of its own, so that waiting never blocks Swift's cooperative pool
    /// (which the server under test needs).
    public func response(timeout: Duration = .seconds(5), expectBody: Bool = true) async throws -> LoopbackResponse {
        try await Blocking.run { try self.readResponse(timeout: timeout, expectBody: expectBody) }
    }

    /// `readUntilClosed` on a thread of its own.
    public func untilClosed(timeout: Duration) async -> (bytes: [UInt8], closed: Bool) {
        await Blocking.run { self.readUntilClosed(timeout: timeout) }
    }

    /// `readUntilClosed` on a thread of its own, with the instant the close was seen, taken on that
    /// thread: how late the awaiting task resumes (a busy cooperative pool) does not change it.
    public func untilClosedTimed(timeout: Duration) async -> (bytes: [UInt8], closedAt: ContinuousClock.Instant?) {
        await Blocking.run {
            let (bytes, closed) = self.readUntilClosed(timeout: timeout)
            return (bytes, closed ? ContinuousClock.now : nil)
        }
    }
}

/// Runs blocking work on a dedicated thread and awaits it.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.start()
        }
    }

    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.start()
        }
    }
}

/// A parsed HTTP/1.1 response.
public struct LoopbackResponse: Sendable {
    public var status: Int
    public var headers: [Header]
    public struct Header: Sendable { public var name: String; public var value: String }
    public var body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Parses the first response in `data` and how many bytes it used; nil when more bytes are needed.
    static func parse(_ data: [UInt8], expectBody: Bool = true) -> (LoopbackResponse, Int)? {
        guard let response = LoopbackResponse(parsing: data, expectBody: expectBody) else { return nil }
        return (response, response.encodedLength)
    }

    private var encodedLength = 0

    /// Parses `data` when it holds a complete response; nil when more bytes are needed.
    init?(parsing data: [UInt8], expectBody: Bool = true) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = data.indices.first(where: { data[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, let code = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [Header] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(Header(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        // A HEAD answer announces a length but carries no body.
        let length = expectBody ? (headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0) : 0
        let bodyStart = end + 4
        guard data.count >= bodyStart + length else { return nil }
        self.status = code
        self.headers = headers
        self.body = Array(data[bodyStart..<(bodyStart + length)])
        self.encodedLength = bodyStart + length
    }
}
