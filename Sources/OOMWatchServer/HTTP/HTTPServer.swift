import Logging
import OOMWatchCore
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The daemon's HTTP/1.1 server (SwiftNIO, async channels). It stops accepting and closes every open
/// connection on graceful shutdown.
public final class HTTPServer: Service, Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Why the server could not start.
    public struct BindError: Error, CustomStringConvertible {
        public let address: String
        public let underlying: any Error
        public var description: String { "cannot listen on \(address): \(underlying)" }
    }

    private let configuration: HTTPServerConfiguration
    private let router: Router
    private let logger: Logger
    private let group: any EventLoopGroup
    private let bound: EventLoopPromise<SocketAddress>
    private let connections = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let open = Mutex(OpenConnections())
    private let largeResponseSlots: ResponseSlots

    private struct OpenConnections: Sendable {
        var closing = false
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    public init(
        configuration: HTTPServerConfiguration,
        router: Router,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.group = group
        self.largeResponseSlots = ResponseSlots(capacity: configuration.maxConcurrentLargeResponses)
        self.bound = group.next().makePromise(of: SocketAddress.self)
    }

    deinit {
        // A server dropped before `run()` bound (the daemon failed first) leaves its address promise unfulfilled,
        // which NIO reports as a leak; completing it again after a bind is a no-op.
        bound.fail(CancellationError())
    }

    /// The address the server listens on, once bound (tests bind port 0 and ask here).
    public func boundAddress() async throws -> SocketAddress {
        try await bound.futureResult.get()
    }

    /// Connections open right now.
    public var openConnections: Int { connections.load(ordering: .relaxed) }
    /// Connections closed on accept because `maxConnections` were open.
    public var rejectedConnections: Int { rejected.load(ordering: .relaxed) }

    public func run() async throws {
        let configuration = self.configuration
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 4)
                .bind(host: configuration.listen.host, port: configuration.listen.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var limits = NIOHTTPDecoderLimitConfiguration()
                        limits.maxHeaderFieldSize = configuration.maxHeaderFieldBytes
                        limits.maxHeaderListSize = configuration.maxHeaderListBytes
                        limits.maxHeaderFieldCount = configuration.maxHeaderCount
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withEncoderConfiguration: .init(),
                            withDecoderLimitConfiguration: limits
                        )
                        try channel.pipeline.syncOperations.addHandler(
                            ConnectionDeadlineHandler(timeout: .nanoseconds(Int64(configuration.readTimeout.nanoseconds)))
                        )
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            bound.fail(error)
            throw BindError(address: configuration.listen.description, underlying: error)
        }
        if let address = server.channel.localAddress {
            bound.succeed(address)
            logger.info("HTTP server listening", metadata: ["address": "\(address)", "port": "\(address.port ?? 0)"])
        }

        // The accept loop runs in its own task so that cancelling the server never cancels an iteration
        // of NIO's inbound streams (which would drop accepted connections unfinished). Shutdown and
        // cancellation both close the listener and every connection instead; the loop then ends.
        let acceptLoop = Task { try await self.accept(from: server) }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await acceptLoop.value
            } onGracefulShutdown: {
                self.closeAll(server: server)
            }
        } onCancel: {
            self.closeAll(server: server)
        }
        logger.info("HTTP server stopped")
    }

    private func accept(from server: NIOAsyncChannel<Connection, Never>) async throws {
        let configuration = self.configuration
        try await withThrowingDiscardingTaskGroup { tasks in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    if self.connections.add(1, ordering: .relaxed).newValue > configuration.maxConnections {
                        self.connections.subtract(1, ordering: .relaxed)
                        self.rejected.add(1, ordering: .relaxed)
                        connection.channel.close(promise: nil)
                        continue
                    }
                    guard self.register(connection.channel) else {
                        self.connections.subtract(1, ordering: .relaxed)
                        connection.channel.close(promise: nil)
                        continue
                    }
                    tasks.addTask {
                        await self.serve(connection)
                        self.unregister(connection.channel)
                        self.connections.subtract(1, ordering: .relaxed)
                    }
                }
            }
        }
    }

    /// Remembers an open connection so shutdown can close it; false when shutdown has begun.
    private func register(_ channel: any Channel) -> Bool {
        open.withLock { state in
            guard !state.closing else { return false }
            state.channels[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    private func unregister(_ channel: any Channel) {
        _ = open.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    private func closeAll(server: NIOAsyncChannel<Connection, Never>) {
        let channels = open.withLock { state in
            state.closing = true
            return Array(state.channels.values)
        }
        server.channel.close(promise: nil)
        for channel in channels { channel.close(promise: nil) }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var bodyBytes = 0
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        bodyBytes = 0
                    case .body(let chunk):
                        bodyBytes += chunk.readableBytes
                        if bodyBytes > configuration.maxBodyBytes, let requestHead = head {
                            let response = HTTPResponse.text("request body larger than \(configuration.maxBodyBytes) bytes", status: .payloadTooLarge)
                            try await Self.write(response, for: requestHead, keepAlive: false, to: outbound)
                            return
                        }
                    case .end:
                        guard let requestHead = head else { return }
                        head = nil
                        let request = HTTPRequest(method: requestHead.method, uri: requestHead.uri, headers: requestHead.headers)
                        let keepAlive = requestHead.isKeepAlive && !Task.isCancelled
                        // A large-body route's slot is held from building the body until it is written. Waiting
                        // for one takes at most half the response deadline, leaving the rest to build and write.
                        let needsSlot = router.hasLargeBody(request)
                        if needsSlot, !(await largeResponseSlots.acquire(within: configuration.readTimeout / 2)) {
                            var busy = HTTPResponse.text("busy: \(largeResponseSlots.capacity) large responses in progress; retry", status: .serviceUnavailable)
                            busy.headers.add(name: "Retry-After", value: "1")
                            try await Self.write(busy, for: requestHead, keepAlive: keepAlive, to: outbound)
                        } else {
                            defer { if needsSlot { largeResponseSlots.release() } }
                            try await Self.write(await router.respond(to: request), for: requestHead, keepAlive: keepAlive, to: outbound)
                        }
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("connection closed with error", metadata: ["error": "\(error)"])
        }
    }

    private static func write(
        _ response: HTTPResponse,
        for request: HTTPRequestHead,
        keepAlive: Bool,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = response.headers
        if !headers.contains(name: "Content-Length") {
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let version = request.version.major == 1 && request.version.minor == 0 ? HTTPVersion.http1_0 : .http1_1
        let head = HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: response.status, headers: headers))
        let body = response.body
        guard body.count > bodyChunkBytes else {
            var parts: [HTTPServerResponsePart] = [head]
            if !body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            parts.append(.end(nil))
            try await outbound.write(contentsOf: parts)
            return
        }
        // A large body (the 3.6 MiB /metrics page at 1,000 pods) goes out in 256 KiB chunks, each written
        // when the socket has taken the one before (the writer waits while the channel is not writable), so
        // a scrape holds the page once, not also a copy of it in NIO's buffers (RSS under 16 concurrent
        // scrapes 47–53 → 28–35 MiB; 64 KiB chunks cost 1-connection p99 18 → 110 ms, 256 KiB 30 ms). A client
        // that stops reading is cut off by ConnectionDeadlineHandler's write deadline.
        try await outbound.write(head)
        var offset = 0
        while offset < body.count {
            let end = min(offset + bodyChunkBytes, body.count)
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body[offset..<end]))))
            offset = end
        }
        try await outbound.write(.end(nil))
    }

    /// Size of the pieces a large response body is written in.
    static let bodyChunkBytes = 256 * 1024
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
