/// The daemon's base URL as the terminal commands take it: `http://HOST[:PORT]` (default port 80),
/// IPv6 hosts in brackets (`http://[::1]:9847`), an optional path prefix.
public struct ServerURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Path prefix without a trailing slash (`""` or `/oomwatch`).
    public var basePath: String

    public init(host: String, port: Int, basePath: String = "") {
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// Parses `text`; throws `HTTPClientError.invalidURL` for anything else than plain http.
    public init(parsing text: String) throws(HTTPClientError) {
        guard text.hasPrefix("http://") else { throw .invalidURL(text) }
        var rest = Substring(text.dropFirst("http://".count))
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        while path.hasSuffix("/") { path.removeLast() }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidURL(text) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL(text) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains("@") else { throw .invalidURL(text) }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .invalidURL(text) }
            port = value
        }
        self.init(host: String(host), port: port, basePath: path)
    }

    /// `http://host:port` (+ base path).
    public var description: String {
        (host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)") + basePath
    }

    /// The `Host` header value.
    public var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
