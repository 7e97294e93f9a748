/// A complete HTTP/1.x response as the plain client read it.
public struct HTTPClientResponse: Sendable, Hashable {
    /// One header; names are lower-cased.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public var status: Int
    /// Headers in order, names lower-cased.
    public var headers: [Header]
    public var body: [UInt8]

    public init(status: Int, headers: [Header], body: [UInt8]) {
        self.status = status
        self.headers = headers.map { Header(name: $0.name.lowercased(), value: $0.value) }
        self.body = body
    }

    /// The first value of a header (case-insensitive).
    public func header(_ name: String) -> String? {
        let key = name.lowercased()
        return headers.first { $0.name == key }?.value
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Parses everything a server sent on a `Connection: close` exchange: the head, then a body
    /// delimited by `Transfer-Encoding: chunked`, `Content-Length`, or the end of the stream.
    public static func parse(_ data: [UInt8]) throws(HTTPClientError) -> HTTPClientResponse {
        guard let headEnd = firstIndex(of: [13, 10, 13, 10], in: data[...]) else {
            throw .malformedResponse(data.isEmpty ? "the server closed the connection without answering" : "no end of headers in \(data.count) bytes")
        }
        let head = String(decoding: data[..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw .malformedResponse("empty head") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...599).contains(status) else {
            throw .malformedResponse("bad status line '\(statusLine.prefix(80))'")
        }
        var headers: [Header] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedResponse("bad header line '\(line.prefix(80))'") }
            headers.append(Header(name: String(line[..<colon]).lowercased(), value: trimmed(line[line.index(after: colon)...])))
        }
        let rest = data[(headEnd + 4)...]
        let response = HTTPClientResponse(status: status, headers: headers, body: [])
        var body: [UInt8]
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            body = try dechunk(rest)
        } else if let lengthText = response.header("content-length") {
            guard let length = Int(lengthText), length >= 0 else { throw .malformedResponse("bad Content-Length '\(lengthText)'") }
            guard rest.count >= length else { throw .malformedResponse("body cut off: \(rest.count) of \(length) bytes") }
            body = Array(rest.prefix(length))
        } else {
            body = Array(rest)
        }
        var complete = response
        complete.body = body
        return complete
    }

    static func dechunk(_ data: ArraySlice<UInt8>) throws(HTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        var index = data.startIndex
        while true {
            guard let lineEnd = firstIndex(of: [13, 10], in: data[index...]) else { throw .malformedResponse("chunked body cut off") }
            let sizeText = String(decoding: data[index..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(trimmed(sizeText), radix: 16), size >= 0 else {
                throw .malformedResponse("bad chunk size '\(sizeText.prefix(20))'")
            }
            index = lineEnd + 2
            if size == 0 { return body }
            guard data.endIndex - index >= size + 2 else { throw .malformedResponse("chunk cut off") }
            body.append(contentsOf: data[index..<(index + size)])
            index += size + 2
        }
    }

    static func firstIndex(of pattern: [UInt8], in data: ArraySlice<UInt8>) -> Int? {
        guard data.count >= pattern.count else { return nil }
        var index = data.startIndex
        while index + pattern.count <= data.endIndex {
            if data[index] == pattern[0] && data[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
