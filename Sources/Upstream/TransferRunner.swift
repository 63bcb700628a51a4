import CCurl
import Foundation
import Logging

/// Runs one logical transfer (attempts, redirects, body resumption) on its own dedicated thread.
///
/// Only the libcurl plumbing lives here: the handle, its callbacks, the block being filled. The decisions
/// are pure: ``ResponseHeadPolicy`` judges each response head, ``ExchangeTarget`` follows redirects and
/// writes the request's header lines, ``AttemptOutcomePolicy`` judges how an attempt ended; the state of
/// the current exchange is one ``ExchangeState`` value, replaced for every exchange.
///
/// Not `Sendable`: created, used and released on that thread; the easy handle it owns never
/// leaves it. Only ``TransferChannel`` is shared with the consumer.
final class TransferRunner {
    let request: UpstreamRequest
    let configuration: UpstreamConfiguration
    let channel: TransferChannel
    let logger: Logger
    private let startedAt = ContinuousClock.now

    /// The handle, kept for the runner's lifetime (released with it, after the stream ended).
    var easy: CurlEasy?
    /// The request body, rewound for every exchange that sends it.
    var upload: UploadSource?

    /// Attempts started so far (the first one included).
    private(set) var attempt = 0
    /// What the published head promised; set once the final response head is known.
    var entity: PublishedEntity?
    /// Entity bytes accepted into the stream (queued blocks plus the block being filled).
    var delivered: Int64 = 0
    /// The block being filled; handed to the channel when it reaches `blockSize`.
    var block: [UInt8] = []
    /// State of the current exchange, replaced before every `curl_easy_perform`.
    var exchange: ExchangeState

    /// Creates a runner; call ``run()`` on the dedicated thread.
    init(request: UpstreamRequest, configuration: UpstreamConfiguration, channel: TransferChannel, logger: Logger) {
        self.request = request
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
        exchange = ExchangeState(target: ExchangeTarget(request: request), hopCount: 0)
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

    /// What the current response head is judged against.
    var exchangeContext: ExchangeContext {
        ExchangeContext(
            method: request.method,
            url: exchange.target.url,
            attempt: attempt,
            maxAttempts: configuration.maxAttempts,
            hopCount: exchange.hopCount,
            entity: entity,
            delivered: delivered
        )
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
                    throw AttemptOutcomePolicy.annotated(error, attempts: attempt)
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
        var target = ExchangeTarget(request: request)
        var hops = 0
        while true {
            if channel.isCancelled { throw .cancelled }
            exchange = ExchangeState(target: target, hopCount: hops)
            try configureExchange(easy)
            var code = easy.perform()
            if channel.isCancelled { throw .cancelled }
            if exchange.stalled {
                code = CURLE_OPERATION_TIMEDOUT
            }
            if let failure = exchange.failure { throw failure }
            if exchange.isRedirect && code == CURLE_OK {
                target = try target.redirected(
                    to: easy.redirectURL(),
                    status: exchange.parser.status,
                    hop: hops + 1,
                    maxRedirects: configuration.maxRedirects,
                    policy: request.redirectPolicy
                )
                hops += 1
                continue
            }
            if let retryStatus = exchange.retryStatus {
                return .retry(.transport(code: 0, message: "upstream answered \(retryStatus.status)"),
                              retryAfter: retryStatus.retryAfter)
            }
            let end = FinishedExchange(
                code: code,
                stalled: exchange.stalled,
                headComplete: exchange.parser.isComplete,
                url: exchange.target.url,
                isFirstExchange: hops == 0,
                // Asked of the handle only when they matter, as libcurl's state is then still that of this exchange.
                message: code == CURLE_OK || exchange.stalled ? "" : easy.message(for: code),
                hasConnected: code == CURLE_OPERATION_TIMEDOUT && !exchange.stalled ? easy.hasConnected() : true
            )
            return try AttemptOutcomePolicy.outcome(
                of: end, entity: entity, delivered: delivered, method: request.method,
                stallTimeout: configuration.stallTimeout
            )
        }
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
}
