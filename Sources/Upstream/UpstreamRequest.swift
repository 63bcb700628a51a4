/// HTTP methods an ``UpstreamRequest`` may use.
public enum UpstreamMethod: String, Sendable, Hashable, CaseIterable {
    /// `GET`: fetch an entity; resumable when the transfer drops mid-body.
    case get = "GET"
    /// `HEAD`: fetch only the response head.
    case head = "HEAD"
    /// `PUT`: upload ``UpstreamRequest/uploadFile`` or ``UpstreamRequest/uploadData``.
    case put = "PUT"
    /// `POST`: send a (usually small) body.
    case post = "POST"
    /// `DELETE`.
    case delete = "DELETE"

    /// Whether repeating the request is harmless (RFC 9110 §9.2.2).
    var isIdempotent: Bool { self != .post }
}

/// One request to an upstream server.
public struct UpstreamRequest: Sendable {
    /// Absolute `http` or `https` URL.
    public var url: String
    /// Request method.
    public var method: UpstreamMethod
    /// Extra request header fields, sent in order. `Range`/`If-Range` are replaced when a body is resumed.
    public var headers: [(name: String, value: String)]
    /// Path of a file streamed as the PUT/POST body (read piecewise, never held in memory as a whole).
    public var uploadFile: String?
    /// Small in-memory PUT/POST body (e.g. JSON); ignored when ``uploadFile`` is set.
    /// Bodies are not sent with GET, HEAD or DELETE.
    public var uploadData: [UInt8]?
    /// A PUT/POST body read at offsets on demand; used when neither ``uploadFile`` nor ``uploadData`` is set.
    public var uploadReader: (any UploadReader)?
    /// Sign the request with AWS Signature Version 4 (libcurl's own signer).
    public var awsSigning: AWSSigning?
    /// Called (on the transfer thread) with each absolute redirect target URL; `nil` follows any
    /// http/https redirect. Returning `false` fails the request with ``UpstreamError/redirectNotAllowed(_:)``.
    /// `Authorization`, `Cookie` and `Proxy-Authorization` are not sent past a cross-origin redirect.
    public var redirectPolicy: (@Sendable (String) -> Bool)?

    /// Creates a request.
    public init(
        url: String,
        method: UpstreamMethod = .get,
        headers: [(name: String, value: String)] = [],
        uploadFile: String? = nil,
        uploadData: [UInt8]? = nil,
        redirectPolicy: (@Sendable (String) -> Bool)? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.uploadFile = uploadFile
        self.uploadData = uploadData
        self.redirectPolicy = redirectPolicy
    }
}
