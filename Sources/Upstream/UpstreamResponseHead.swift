/// Status line and header fields of the final upstream response (after redirects and retries).
public struct UpstreamResponseHead: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Header fields of the final response, in the order received.
    public var headers: [(name: String, value: String)]
    /// URL that produced this response (the last redirect target, if any).
    public var effectiveURL: String
    /// Length of the complete entity: `Content-Length`, or for a `206` the total from `Content-Range`.
    /// Unchanged when the body is transparently resumed. `nil` when the upstream did not say.
    public var contentLength: Int64?

    /// Creates a head.
    public init(status: Int, headers: [(name: String, value: String)], effectiveURL: String, contentLength: Int64?) {
        self.status = status
        self.headers = headers
        self.effectiveURL = effectiveURL
        self.contentLength = contentLength
    }

    /// The value of the last header field called `name` (compared case-insensitively), if any.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name.lowercased() == wanted }?.value
    }
}
