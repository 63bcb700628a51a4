import CCurl
import Foundation
import Logging

/// Runs one logical transfer (attempts, redirects, body resumption) on its own dedicated thread.
///
/// Not `Sendable`: created, used and released on that thread; the easy handle it owns never
/// leaves it. Only ``TransferChannel`` is shared with the consumer.
final class TransferRunner {
    /// Statuses retried (before any body byte) while attempts remain.
    static let retryableStatuses: Set<Int> = [429, 502, 503, 504]
    /// Statuses answered with a redirect that is followed when it carries a `Location`.
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    let request: UpstreamRequest
    let configuration: UpstreamConfiguration
    let channel: TransferChannel
    let logger: Logger
    private let startedAt = ContinuousClock.now

    var easy: CurlEasy?
    var upload: UploadSource?

    /// Attempts started so far (the first one included).
    private(set) var attempt = 0
    /// What the published head promised; set once the final response head is known.
    var entity: PublishedEntity?
    /// Entity bytes accepted into the stream (queued blocks plus the block being filled).
    var delivered: Int64 = 0
    /// The block being filled; handed to the channel when it reaches `blockSize`.
    var block: [UInt8] = []

    // Per-exchange state, reset before every `curl_easy_perform`.
    /// Header lines of the current response.
    var parser = ResponseHeaderParser()
    /// What happens to the current response's body bytes.
    var disposition = BodyDisposition.pending
    /// Body bytes still to drop before delivering (re-download after a drop without range support).
    var skipRemaining: Int64 = 0
    /// Set by a callback that aborted the exchange; thrown after `curl_easy_perform` returns.
    var exchangeFailure: UpstreamError?
    /// Set when the response is a retryable status that will be retried.
    var retryStatus: (status: Int, retryAfter: Duration?)?
    /// Set when the response is a redirect to follow.
    var isRedirect = false
    /// URL of the current exchange.
    var currentURL = ""
    /// Redirects followed before the current exchange within this attempt.
    var hopCount = 0
    /// Set when the progress callback aborted because nothing moved for `stallTimeout`.
    var stalled = false
    /// Last time bytes moved (or the consumer took a block).
    var lastActivity = ContinuousClock.now
    /// Bytes moved so far in this exchange, as last reported to the progress callback.
    var lastProgressBytes: Int64 = 0

    /// Creates a runner; call ``run()`` on the dedicated thread.
    init(request: UpstreamRequest, configuration: UpstreamConfiguration, channel: TransferChannel, logger: Logger) {
        self.request = request
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
        block.reserveCapacity(configuration.blockSize)
    }

    /// Performs the whole transfer, publishing the head and body to the channel, then ends the stream.
    func run() {
        var failure: UpstreamError?
        do {
            try execute()
        } catch {
            failure = channel.isCancelled ? .cancelled : error
        }
        channel.finish(failure)
        logCompletion(failure)
    }

    private func execute() throws(UpstreamError) {
        guard URLRules.isHTTP(request.url) else {
            throw .invalidURL(request.url)
        }
        try validateHeaders()
        let easy = try CurlEasy()
        self.easy = easy
        upload = try UploadSource(request: request)
        while true {
            attempt += 1
            switch try performAttempt(easy) {
            case .completed:
                if !block.isEmpty {
                    guard channel.push(block) else { throw .cancelled }
                    block = []
                }
                return
            case .retry(let error, let retryAfter):
                guard attempt < configuration.maxAttempts else {
                    throw Self.annotated(error, attempts: attempt)
                }
                var delay = configuration.backoff(beforeRetry: attempt)
                if let retryAfter {
                    delay = min(max(delay, retryAfter), UpstreamConfiguration.maximumBackoff)
                }
                logger.debug("retrying upstream request", metadata: [
                    "url": "\(URLRules.redacted(request.url))",
                    "attempt": "\(attempt + 1)",
                    "delay_ms": "\(Int(delay.larderSeconds * 1000))",
                    "resume_offset": "\(entity == nil ? 0 : delivered)",
                    "reason": "\(error)",
                ])
                guard channel.sleep(for: delay) else { throw .cancelled }
            }
        }
    }

    /// One attempt: the request to the original URL and every redirect it leads to.
    private func performAttempt(_ easy: CurlEasy) throws(UpstreamError) -> AttemptOutcome {
        var url = request.url
        var method = request.method
        var sendBody = true
        var stripCredentials = false
        var hops = 0
        while true {
            if channel.isCancelled { throw .cancelled }
            hopCount = hops
            try configureExchange(easy, url: url, method: method, sendBody: sendBody, stripCredentials: stripCredentials)
            var code = easy.perform()
            if channel.isCancelled { throw .cancelled }
            if stalled {
                code = CURLE_OPERATION_TIMEDOUT
            }
            if let exchangeFailure { throw exchangeFailure }
            if isRedirect && code == CURLE_OK {
                guard let target = easy.redirectURL() else {
                    throw .invalidURL("unusable Location in redirect from \(URLRules.redacted(url))")
                }
                hops += 1
                guard hops <= configuration.maxRedirects else { throw .tooManyRedirects(target) }
                guard URLRules.isHTTP(target) else { throw .redirectNotAllowed(target) }
                if let policy = request.redirectPolicy, !policy(target) { throw .redirectNotAllowed(target) }
                switch parser.status {
                case 303 where method != .head, 301 where method == .post, 302 where method == .post:
                    method = .get
                    sendBody = false
                default:
                    break
                }
                if !URLRules.sameOrigin(url, target) {
                    stripCredentials = true
                }
                url = target
                continue
            }
            if let retryStatus {
                return .retry(.transport(code: 0, message: "upstream answered \(retryStatus.status)"),
                              retryAfter: retryStatus.retryAfter)
            }
            return try classify(code, easy: easy, firstExchange: hops == 0)
        }
    }

    /// Decides what a finished (non-redirect, non-retried-status) exchange means.
    ///
    /// A retry repeats the whole request, so a non-idempotent one is retried only when nothing can
    /// have reached a server: a connect failure on its first exchange.
    private func classify(_ code: CURLcode, easy: CurlEasy, firstExchange: Bool) throws(UpstreamError) -> AttemptOutcome {
        if code == CURLE_OK {
            guard parser.isComplete else {
                throw .transport(code: 0, message: "no response from \(URLRules.redacted(currentURL))")
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
        let message = stalled
            ? "no data moved for \(Int(configuration.stallTimeout.larderSeconds.rounded(.up))) s from \(URLRules.redacted(currentURL))"
            : easy.message(for: code)
        var error = Self.error(for: code, message: message)
        var raw = Int(code.rawValue)
        if code == CURLE_OPERATION_TIMEDOUT && !stalled && !easy.hasConnected() {
            // libcurl reports a connect timeout as a plain timeout; nothing reached the server.
            error = .connectFailed(message)
            raw = Int(CURLE_COULDNT_CONNECT.rawValue)
        }
        if let entity {
            if let expected = entity.bodyLength, delivered >= expected, request.method != .head {
                // Every promised byte arrived; only the connection's ending failed.
                return .completed
            }
            guard entity.isResumable, Self.transientCodes.contains(raw) else { throw error }
            return .retry(error, retryAfter: nil)
        }
        let idempotent = request.method.isIdempotent
        if (Self.connectCodes.contains(raw) && (idempotent || firstExchange))
            || (idempotent && Self.transientCodes.contains(raw)) {
            return .retry(error, retryAfter: nil)
        }
        throw error
    }

    private func validateHeaders() throws(UpstreamError) {
        // Compare scalars: "\r\n" is one Character and would slip past a Character test.
        let forbidden: (Unicode.Scalar) -> Bool = { $0 == "\r" || $0 == "\n" || $0 == "\0" }
        let separators: (Unicode.Scalar) -> Bool = { $0 == ":" || $0 == " " || $0 == "\t" }
        for field in request.headers {
            guard !field.name.isEmpty, !field.name.unicodeScalars.contains(where: separators),
                  !field.name.unicodeScalars.contains(where: forbidden),
                  !field.value.unicodeScalars.contains(where: forbidden) else {
                throw .transport(code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
                                 message: "invalid request header field \(field.name.debugDescription)")
            }
        }
    }

    private func logCompletion(_ failure: UpstreamError?) {
        let seconds = (ContinuousClock.now - startedAt).larderSeconds
        var metadata: Logger.Metadata = [
            "url": "\(URLRules.redacted(request.url))",
            "method": "\(request.method.rawValue)",
            "status": "\(entity.map { String($0.head.status) } ?? "-")",
            "bytes": "\(delivered)",
            "seconds": "\(String(format: "%.3f", seconds))",
            "attempts": "\(attempt)",
        ]
        if let failure {
            metadata["error"] = "\(failure)"
        }
        logger.info("upstream transfer finished", metadata: metadata)
    }

    // MARK: CURLcode classification

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

/// Result of one attempt.
enum AttemptOutcome {
    /// The body (if any) was received completely.
    case completed
    /// The attempt failed in a way worth retrying (or resuming).
    case retry(UpstreamError, retryAfter: Duration?)
}

/// What happens to body bytes of the current exchange.
enum BodyDisposition {
    /// Headers not complete yet.
    case pending
    /// Body of a redirect or retried status: read and drop.
    case discard
    /// Body of the entity: skip `skipRemaining` bytes, then append to the stream.
    case deliver
}

/// The response whose head was published, with what is needed to resume its body.
struct PublishedEntity {
    /// The published head.
    var head: UpstreamResponseHead
    /// Whether a dropped body may be resumed (GET answered 200 or 206).
    var isResumable: Bool
    /// Offset in the entity of the first body byte (the range start of a 206, else 0).
    var rangeStart: Int64
    /// Inclusive range end of a 206.
    var rangeEnd: Int64?
    /// Number of body bytes the response promised, if known.
    var bodyLength: Int64?
    /// Full entity length, if known.
    var entityLength: Int64?
    /// Strong `ETag`, if any.
    var etag: String?
    /// `Last-Modified`, if any.
    var lastModified: String?

    /// Value for `If-Range`: the strong ETag, else Last-Modified.
    var ifRangeValidator: String? { etag ?? lastModified }
}
