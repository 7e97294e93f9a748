import NIOHTTP1

/// Answers one request. Routes are plain functions so they can be tested without a socket.
public typealias RouteHandler = @Sendable (HTTPRequest) async -> HTTPResponse

/// Maps paths to handlers. Unknown paths get 404; known paths with another method get 405 and `Allow`.
/// HEAD is answered as GET without a body.
public struct Router: Sendable {
    private var routes: [String: RouteHandler] = [:]
    private var largeBodyPaths: Set<String> = []

    public init() {}

    /// Registers a GET (and HEAD) handler for an exact path. `largeBody`: its answers can be large (megabytes
    /// at a thousand pods); the server builds and writes only a few of those at once
    /// (`HTTPServerConfiguration.maxConcurrentLargeResponses`).
    public mutating func get(_ path: String, largeBody: Bool = false, _ handler: @escaping RouteHandler) {
        routes[path] = handler
        if largeBody { largeBodyPaths.insert(path) } else { largeBodyPaths.remove(path) }
    }

    /// Whether `request` goes to a route registered with `largeBody`.
    public func hasLargeBody(_ request: HTTPRequest) -> Bool {
        largeBodyPaths.contains(Self.routePath(request.path))
    }

    /// The registered path a request path maps to (a trailing slash dropped).
    static func routePath(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The registered paths, sorted (for the landing page).
    public var paths: [String] { routes.keys.sorted() }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        var response = await respondWithBody(to: request)
        // A HEAD response never carries a body, whatever its status (a 404 for an unknown path included):
        // a body would be read as the start of the next pipelined response.
        if request.method == .HEAD {
            response.headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            response.body = []
        }
        return response
    }

    private func respondWithBody(to request: HTTPRequest) async -> HTTPResponse {
        let path = Self.routePath(request.path)
        guard let handler = routes[path] else {
            return .text("not found: \(Self.printable(path))\navailable: \(paths.joined(separator: " "))", status: .notFound)
        }
        switch request.method {
        case .GET, .HEAD:
            return await handler(request)
        default:
            var response = HTTPResponse.text("method \(request.method.rawValue) not allowed on \(path)", status: .methodNotAllowed)
            response.headers.add(name: "Allow", value: "GET, HEAD")
            return response
        }
    }

    /// Path text safe to echo back: printable ASCII only, at most 200 characters.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(200).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}
