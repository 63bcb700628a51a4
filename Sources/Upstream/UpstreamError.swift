/// Why an upstream request or its body stream failed.
public enum UpstreamError: Error, Sendable, CustomStringConvertible {
    /// The URL (or a redirect target) is malformed or not http/https.
    case invalidURL(String)
    /// No connection could be made (refused, unresolvable host, connect timeout) after all attempts.
    case connectFailed(String)
    /// The transfer stalled (below one byte per second for the stall timeout) after all attempts.
    case timedOut(String)
    /// More than `maxRedirects` redirects; carries the last target.
    case tooManyRedirects(String)
    /// A redirect target was rejected by the redirect policy or uses another scheme than http/https.
    case redirectNotAllowed(String)
    /// Any other libcurl failure (`code` is the `CURLcode`), or a local failure reported the same way.
    case transport(code: Int, message: String)
    /// A dropped body could not be resumed (entity changed, unexpected status or range).
    case resumeFailed(String)
    /// The request or its body stream was cancelled.
    case cancelled

    /// Human-readable description.
    public var description: String {
        switch self {
        case .invalidURL(let detail): "invalid URL: \(detail)"
        case .connectFailed(let detail): "connect failed: \(detail)"
        case .timedOut(let detail): "timed out: \(detail)"
        case .tooManyRedirects(let detail): "too many redirects: \(detail)"
        case .redirectNotAllowed(let detail): "redirect not allowed: \(detail)"
        case .transport(let code, let message): "transport error \(code): \(message)"
        case .resumeFailed(let detail): "resume failed: \(detail)"
        case .cancelled: "cancelled"
        }
    }
}
