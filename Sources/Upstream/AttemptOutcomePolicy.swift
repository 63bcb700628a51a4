import CCurl

/// Result of one attempt.
enum AttemptOutcome {
    /// The body (if any) was received completely.
    case completed
    /// The attempt failed in a way worth retrying (or resuming).
    case retry(UpstreamError, retryAfter: Duration?)
}

/// How an exchange that was neither a followed redirect nor a retried status ended, as seen by the runner.
struct FinishedExchange {
    /// libcurl's result (`CURLE_OPERATION_TIMEDOUT` when the progress callback found a stall).
    var code: CURLcode
    /// Whether the progress callback aborted because nothing moved for the stall timeout.
    var stalled: Bool
    /// Whether a complete final response head arrived.
    var headComplete: Bool
    /// URL of the exchange.
    var url: String
    /// Whether it was the attempt's first exchange (no redirect followed yet).
    var isFirstExchange: Bool
    /// libcurl's message for a failed `code`.
    var message: String
    /// Whether a connection was established (only consulted for a timeout that was not a stall).
    var hasConnected: Bool
}

/// Decides what a finished exchange means for its attempt: complete, retry (or resume), or fail.
///
/// A retry repeats the whole request, so a non-idempotent one is retried only when nothing can have
/// reached a server: a connect failure on its first exchange. Once a head was published, only a
/// resumable entity is retried, and only after a transient failure.
enum AttemptOutcomePolicy {
    /// Failures worth retrying for any method: nothing reached the server.
    static let connectCodes: Set<Int> = [
        Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue), Int(CURLE_COULDNT_RESOLVE_HOST.rawValue),
        Int(CURLE_COULDNT_CONNECT.rawValue), Int(CURLE_SEND_FAIL_REWIND.rawValue),
    ]

    /// Failures worth retrying for idempotent requests and resuming a body after.
    static let transientCodes: Set<Int> = connectCodes.union([
        Int(CURLE_HTTP2.rawValue), Int(CURLE_PARTIAL_FILE.rawValue), Int(CURLE_OPERATION_TIMEDOUT.rawValue),
        Int(CURLE_SSL_CONNECT_ERROR.rawValue), Int(CURLE_GOT_NOTHING.rawValue), Int(CURLE_SEND_ERROR.rawValue),
        Int(CURLE_RECV_ERROR.rawValue), Int(CURLE_HTTP2_STREAM.rawValue),
    ])

    /// The outcome of the attempt whose last exchange ended as `end`.
    ///
    /// - Parameters:
    ///   - entity: the published entity, if a head was published.
    ///   - delivered: entity bytes accepted into the stream.
    ///   - method: method of the original request.
    ///   - stallTimeout: the configured stall timeout, for the message of a stall.
    static func outcome(
        of end: FinishedExchange,
        entity: PublishedEntity?,
        delivered: Int64,
        method: UpstreamMethod,
        stallTimeout: Duration
    ) throws(UpstreamError) -> AttemptOutcome {
        if end.code == CURLE_OK {
            guard end.headComplete else {
                throw .transport(code: 0, message: "no response from \(URLRules.redacted(end.url))")
            }
            if let entity, let expected = entity.bodyLength, delivered < expected {
                // The connection ended cleanly but early: treat it like a dropped transfer.
                let error = UpstreamError.transport(
                    code: Int(CURLE_PARTIAL_FILE.rawValue),
                    message: "body ended after \(delivered) of \(expected) bytes"
                )
                guard entity.isResumable else { throw error }
                return .retry(error, retryAfter: nil)
            }
            return .completed
        }
        let message = end.stalled
            ? "no data moved for \(Int(stallTimeout.larderSeconds.rounded(.up))) s from \(URLRules.redacted(end.url))"
            : end.message
        var error = self.error(for: end.code, message: message)
        var raw = Int(end.code.rawValue)
        if end.code == CURLE_OPERATION_TIMEDOUT && !end.stalled && !end.hasConnected {
            // libcurl reports a connect timeout as a plain timeout; nothing reached the server.
            error = .connectFailed(message)
            raw = Int(CURLE_COULDNT_CONNECT.rawValue)
        }
        if let entity {
            if let expected = entity.bodyLength, delivered >= expected, method != .head {
                // Every promised byte arrived; only the connection's ending failed.
                return .completed
            }
            guard entity.isResumable, transientCodes.contains(raw) else { throw error }
            return .retry(error, retryAfter: nil)
        }
        let idempotent = method.isIdempotent
        if (connectCodes.contains(raw) && (idempotent || end.isFirstExchange))
            || (idempotent && transientCodes.contains(raw)) {
            return .retry(error, retryAfter: nil)
        }
        throw error
    }

    /// Maps a failed `CURLcode` to the public error.
    static func error(for code: CURLcode, message: String) -> UpstreamError {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            .invalidURL(message)
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT:
            .connectFailed(message)
        case CURLE_OPERATION_TIMEDOUT:
            .timedOut(message)
        case CURLE_ABORTED_BY_CALLBACK:
            .cancelled
        default:
            .transport(code: Int(code.rawValue), message: message)
        }
    }

    /// `error` with the number of attempts appended to its message.
    static func annotated(_ error: UpstreamError, attempts: Int) -> UpstreamError {
        let suffix = " (after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
        switch error {
        case .connectFailed(let message): return .connectFailed(message + suffix)
        case .timedOut(let message): return .timedOut(message + suffix)
        case .transport(let code, let message): return .transport(code: code, message: message + suffix)
        default: return error
        }
    }
}
