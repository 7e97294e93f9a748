import FuzzSupport
import Dispatch
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OOMWatchCore
import OOMWatchServer

/// Runs arbitrary bytes through the daemon's HTTP request path exactly as a connection does: NIO's
/// HTTP/1.1 server pipeline with the daemon's decoder limits (on an `EmbeddedChannel`), then
/// `HTTPRequest` (percent-decoding, query parsing) and the daemon's real `Router` and routes, with the
/// responses written back through the pipeline. Invariants are checked with `precondition`.
enum HTTPRequestHarness {
    static let daemon: OOMWatchDaemon = {
        var configuration = DaemonConfiguration()
        configuration.http.listen = ListenAddress(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        return OOMWatchDaemon(configuration: configuration, logger: logger)
    }()

    /// Answers each complete request with the router's response (the pipeline handler releases
    /// pipelined requests one at a time, as on a real connection).
    final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let router: Router
        let maxBodyBytes: Int
        var head: HTTPRequestHead?
        var bodyBytes = 0
        var requests = 0

        init(router: Router, maxBodyBytes: Int) {
            self.router = router
            self.maxBodyBytes = maxBodyBytes
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                bodyBytes = 0
            case .body(let chunk):
                bodyBytes += chunk.readableBytes
                if bodyBytes > maxBodyBytes { context.close(promise: nil) }
            case .end:
                guard let requestHead = head else { return }
                head = nil
                requests += 1
                let request = HTTPRequest(method: requestHead.method, uri: requestHead.uri, headers: requestHead.headers)
                let response = HTTPRequestHarness.respond(request)
                precondition((100..<600).contains(Int(response.status.code)))
                if requestHead.method == .HEAD { precondition(response.body.isEmpty) }
                if response.status == .notFound {
                    // Echoed paths are printable ASCII only (no header or terminal injection).
                    precondition(response.body.allSatisfy { $0 == 0x0A || (0x20..<0x7F).contains($0) })
                }
                var headers = response.headers
                headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
                if !response.body.isEmpty {
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    final class ResponseBox: @unchecked Sendable { var value: HTTPResponse? }

    /// The router is async; the fuzz thread is not a cooperative thread, so it may block on it.
    static func respond(_ request: HTTPRequest) -> HTTPResponse {
        let router = daemon.router
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await router.respond(to: request)
            done.signal()
        }
        done.wait()
        return box.value ?? .text("no response", status: .internalServerError)
    }

    /// Runs one input; returns how many requests reached the router and how many responses went out.
    @discardableResult
    static func run(_ data: [UInt8]) -> (requests: Int, responses: Int) {
        let configuration = daemon.configuration.http
        let channel = EmbeddedChannel()
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = configuration.maxHeaderFieldBytes
        limits.maxHeaderListSize = configuration.maxHeaderListBytes
        limits.maxHeaderFieldCount = configuration.maxHeaderCount
        let responder = Responder(router: daemon.router, maxBodyBytes: configuration.maxBodyBytes)
        do {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try channel.pipeline.syncOperations.addHandler(responder)
            // An EmbeddedChannel becomes active (as an accepted connection is) once "connected".
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9847)).wait()
        } catch {
            preconditionFailure("pipeline setup failed: \(error)")
        }
        // Feed in two pieces (a split anywhere must not matter to a streaming decoder).
        let split = data.isEmpty ? 0 : Int(data[0]) % (data.count + 1)
        for piece in [data[..<split], data[split...]] where !piece.isEmpty && channel.isActive {
            _ = try? channel.writeInbound(ByteBuffer(bytes: piece))
        }
        var responses = 0
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
            let text = String(decoding: buffer.readableBytesView.prefix(9), as: UTF8.self)
            if text.hasPrefix("HTTP/1.") { responses += 1 }
        }
        // One response per complete request, plus the 400s of NIO's protocol error handler for a malformed
        // one: on an EmbeddedChannel it can answer the same decoder error twice (found by this target with
        // `GET /events?since=Int000x` + CRLF CRLF, an HTTP/0.9-style line; on a socket the second write
        // follows the close and is dropped), so two are allowed, never more.
        precondition(responses <= responder.requests + 2)
        _ = try? channel.finish()
        return (responder.requests, responses)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    HTTPRequestHarness.run(Array(UnsafeBufferPointer(start: bytes, count: size)))
    return 0
}

@_cdecl("HTTPRequestFuzz_main")
public func httpRequestFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzzing.runLibFuzzer(argc, argv) { bytes, size in LLVMFuzzerTestOneInput(bytes, size) }
}
#else
/// Without libFuzzer: replays files (the corpus, crash reproducers) through the same harness.
@main
struct HTTPRequestFuzzReplay {
    static func main() throws {
        var requests = 0
        var responses = 0
        let count = try Fuzzing.replay(CommandLine.arguments.dropFirst()) { bytes in
            let result = HTTPRequestHarness.run(bytes)
            requests += result.requests
            responses += result.responses
        }
        print("replayed \(count) inputs without a crash: \(requests) requests routed, \(responses) responses written")
    }
}
#endif
