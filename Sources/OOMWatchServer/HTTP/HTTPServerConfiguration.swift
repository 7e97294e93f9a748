import OOMWatchCore

/// Limits and timeouts of the HTTP server. The defaults suit a node agent scraped every few seconds.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind; port 0 picks a free port (tests).
    public var listen: ListenAddress
    /// Every phase of a connection has this deadline: the time to send the next complete request
    /// (from connect, or from the end of the previous response) and the time to take a response.
    /// A stalled or slowloris client is disconnected when it passes.
    public var readTimeout: Duration
    /// Most connections served at once; further ones are closed on accept.
    public var maxConnections: Int
    /// Largest request body accepted (the API takes none); larger ones get 413 and a close.
    public var maxBodyBytes: Int
    /// Largest single header line (name and value) and total header block; larger ones get 400.
    public var maxHeaderFieldBytes: Int
    public var maxHeaderListBytes: Int
    public var maxHeaderCount: Int
    /// Most responses of large-body routes (`Router.get(_:largeBody:_:)`: /metrics, /events, ...) built or
    /// being written at once; a request beyond waits for a slot up to half of `readTimeout`, then gets 503.
    public var maxConcurrentLargeResponses: Int

    public init(
        listen: ListenAddress = ListenAddress(host: "0.0.0.0", port: 9847),
        readTimeout: Duration = .seconds(30),
        maxConnections: Int = 512,
        maxBodyBytes: Int = 64 * 1024,
        maxHeaderFieldBytes: Int = 8 * 1024,
        maxHeaderListBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 64,
        maxConcurrentLargeResponses: Int = 4
    ) {
        self.listen = listen
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderFieldBytes = maxHeaderFieldBytes
        self.maxHeaderListBytes = maxHeaderListBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxConcurrentLargeResponses = maxConcurrentLargeResponses
    }
}
