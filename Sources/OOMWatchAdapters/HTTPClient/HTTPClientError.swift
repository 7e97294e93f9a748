/// Why a request to the daemon failed.
public enum HTTPClientError: Error, Hashable, CustomStringConvertible {
    /// The server URL is not `http://host:port`.
    case invalidURL(String)
    /// The host name did not resolve.
    case unresolvable(host: String, reason: String)
    /// Connecting, sending or receiving failed (errno text), or the deadline passed.
    case connection(String)
    /// The response was not HTTP/1.x or was cut off.
    case malformedResponse(String)
    /// The response body exceeded the client's cap.
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid server URL '\(url)': expected http://HOST:PORT, e.g. http://127.0.0.1:9847"
        case .unresolvable(let host, let reason): "cannot resolve \(host): \(reason)"
        case .connection(let reason): reason
        case .malformedResponse(let reason): "malformed HTTP response: \(reason)"
        case .responseTooLarge(let limit): "response larger than \(limit) bytes"
        }
    }
}
