import Foundation
import OOMWatchAdapters
import Testing

@Suite("Plain HTTP client: server URLs and response parsing")
struct PlainHTTPClientTests {
    @Test func serverURLs() throws {
        let plain = try ServerURL(parsing: "http://127.0.0.1:9847")
        #expect(plain == ServerURL(host: "127.0.0.1", port: 9847))
        #expect(plain.description == "http://127.0.0.1:9847")
        #expect(try ServerURL(parsing: "http://node-1/oomwatch/") == ServerURL(host: "node-1", port: 80, basePath: "/oomwatch"))
        let v6 = try ServerURL(parsing: "http://[::1]:9847")
        #expect(v6 == ServerURL(host: "::1", port: 9847))
        #expect(v6.hostHeader == "[::1]:9847")
        for bad in ["https://x:1", "127.0.0.1:9847", "http://:80", "http://x:0", "http://x:99999", "http://[::1", "http://u@x:1"] {
            #expect(throws: HTTPClientError.invalidURL(bad)) { try ServerURL(parsing: bad) }
        }
    }

    @Test func contentLengthChunkedAndCloseDelimitedBodies() throws {
        let sized = try HTTPClientResponse.parse(Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello-extra".utf8))
        #expect(sized.status == 200)
        #expect(sized.header("content-type") == "text/plain")
        #expect(sized.text == "hello")
        let chunked = try HTTPClientResponse.parse(Array("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnot \r\n5;x=y\r\nready\r\n0\r\n\r\n".utf8))
        #expect(chunked.status == 503)
        #expect(chunked.text == "not ready")
        let closed = try HTTPClientResponse.parse(Array("HTTP/1.0 404 Not Found\r\n\r\nnope".utf8))
        #expect(closed.status == 404)
        #expect(closed.text == "nope")
    }

    @Test func malformedResponsesAreTypedErrors() {
        #expect(throws: HTTPClientError.malformedResponse("the server closed the connection without answering")) { try HTTPClientResponse.parse([]) }
        #expect(throws: HTTPClientError.malformedResponse("bad status line 'SSH-2.0-OpenSSH'")) {
            try HTTPClientResponse.parse(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8))
        }
        #expect(throws: HTTPClientError.malformedResponse("body cut off: 2 of 10 bytes")) {
            try HTTPClientResponse.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".utf8))
        }
        #expect(throws: HTTPClientError.malformedResponse("chunk cut off")) {
            try HTTPClientResponse.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nab".utf8))
        }
    }
}
