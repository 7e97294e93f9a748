import NIOCore
import NIOHTTP1

/// A complete request as the routes see it: method, decoded path and query.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var uri: String
    public var path: String
    public var query: [String: String]
    public var headers: HTTPHeaders

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders = [:]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        let (path, query) = Self.split(uri: uri)
        self.path = path
        self.query = query
    }

    /// Splits `uri` into its percent-decoded path and query parameters (the first value of each name wins;
    /// at most 32 parameters are read).
    static func split(uri: String) -> (String, [String: String]) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        // A path that is not valid percent-encoded UTF-8 stays raw, so it matches no route (404).
        let rawPath = parts.first.map(String.init) ?? "/"
        let path = percentDecode(rawPath, plusIsSpace: false) ?? rawPath
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&").prefix(32) {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let key = percentDecode(String(kv[0]), plusIsSpace: true), !key.isEmpty else { continue }
                let value = kv.count == 2 ? (percentDecode(String(kv[1]), plusIsSpace: true) ?? "") : ""
                if query[key] == nil { query[key] = value }
            }
        }
        return (path, query)
    }

    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A complete response: status, headers and body bytes.
public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPResponseStatus, contentType: String? = nil, body: [UInt8] = [], headers: HTTPHeaders = [:]) {
        self.status = status
        self.headers = headers
        self.body = body
        if let contentType { self.headers.replaceOrAdd(name: "Content-Type", value: contentType) }
    }

    /// A plain-text response with a trailing newline.
    public static func text(_ text: String, status: HTTPResponseStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8))
    }

    /// A JSON response from already-encoded bytes.
    public static func json(_ bytes: [UInt8], status: HTTPResponseStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: bytes)
    }
}
