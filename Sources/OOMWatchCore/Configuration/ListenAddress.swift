/// Where the HTTP server listens: `host:port`, `[ipv6]:port` or `:port` (all interfaces).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// Why an address could not be read.
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        public let input: String
        public let reason: String
        public var description: String { "invalid listen address '\(input)': \(reason) (expected host:port, e.g. 0.0.0.0:9847)" }
    }

    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; port 0 asks the kernel for a free port.
    public init(parsing text: String) throws(ParseError) {
        let input = text.trimmingASCIIWhitespace()
        let hostPart: Substring
        let portPart: Substring
        if input.hasPrefix("[") {
            guard let close = input.firstIndex(of: "]") else { throw ParseError(input: text, reason: "missing ']'") }
            hostPart = input[input.index(after: input.startIndex)..<close]
            let afterClose = input[input.index(after: close)...]
            guard afterClose.hasPrefix(":") else { throw ParseError(input: text, reason: "missing ':port'") }
            portPart = afterClose.dropFirst()
        } else {
            guard let colon = input.lastIndex(of: ":") else { throw ParseError(input: text, reason: "missing ':port'") }
            hostPart = input[..<colon]
            portPart = input[input.index(after: colon)...]
            if hostPart.contains(":") { throw ParseError(input: text, reason: "IPv6 hosts need brackets, e.g. [::1]:9847") }
        }
        guard !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portPart), port <= 65535 else {
            throw ParseError(input: text, reason: "port must be a number from 0 to 65535")
        }
        guard hostPart.allSatisfy({ !$0.isWhitespace && $0 != "/" }) else { throw ParseError(input: text, reason: "invalid host") }
        self.host = hostPart.isEmpty ? "0.0.0.0" : String(hostPart)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
