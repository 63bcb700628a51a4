/// What the transfer knows when a response head completes: everything ``ResponseHeadPolicy`` judges it by.
struct ExchangeContext {
    /// Method of the original request (a redirect may have turned the exchange into a GET).
    var method: UpstreamMethod
    /// URL of the current exchange.
    var url: String
    /// Attempts started so far, the current one included.
    var attempt: Int
    /// Most attempts the transfer may make.
    var maxAttempts: Int
    /// Redirects followed before the current exchange within this attempt.
    var hopCount: Int
    /// The entity whose head was already published, when this exchange resumes its body.
    var entity: PublishedEntity?
    /// Entity bytes already accepted into the stream.
    var delivered: Int64
}

/// What to do with a response once its head is complete.
enum HeadDecision {
    /// A redirect carrying a `Location`: drop the body, then follow it.
    case followRedirect
    /// A retryable status that will be retried: drop the body, then retry (after `retryAfter`, if given).
    case retry(status: Int, retryAfter: Duration?)
    /// The final response of a fresh transfer: publish its head and deliver its body.
    case publish(PublishedEntity)
    /// A response continuing the published entity: drop its first `skipping` body bytes, deliver the rest.
    case resume(skipping: Int64)
    /// The exchange cannot go on; abort it with this error.
    case fail(UpstreamError)

    /// What happens to the response's body bytes.
    var disposition: BodyDisposition {
        switch self {
        case .followRedirect, .retry: .discard
        case .publish, .resume: .deliver
        case .fail: .pending
        }
    }
}

/// The decisions taken at the end of a response head: a pure function of the head and the transfer's state.
///
/// Order: a redirect with a `Location` is followed; a response to a resumption request must continue
/// the published entity (``decideResumption(_:entity:in:)``); otherwise a retryable status is retried
/// while attempts remain and repeating is harmless; anything else is published.
enum ResponseHeadPolicy {
    /// Statuses retried (before any body byte) while attempts remain.
    static let retryableStatuses: Set<Int> = [429, 502, 503, 504]
    /// Statuses answered with a redirect that is followed when it carries a `Location`.
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Decides what the completed response head `head` means in `context`.
    static func decide(_ head: ResponseHeaderParser, in context: ExchangeContext) -> HeadDecision {
        let status = head.status
        if redirectStatuses.contains(status) && head.value("Location") != nil {
            return .followRedirect
        }
        if let entity = context.entity {
            return decideResumption(head, entity: entity, in: context)
        }
        // Retrying repeats the whole request: not for a POST that already went through a redirect.
        let repeatable = context.method.isIdempotent || context.hopCount == 0
        if retryableStatuses.contains(status) && context.attempt < context.maxAttempts && repeatable {
            return .retry(status: status, retryAfter: retryAfter(head))
        }
        return .publish(PublishedEntity(head: head, method: context.method, url: context.url))
    }

    /// Checks that a response to a resumption request continues the published `entity`.
    ///
    /// A `206` must start exactly at the next missing byte and keep the entity length; a `200` (no range
    /// support, or the validator no longer matched) is accepted only after a `200` and when it is
    /// recognisably the same entity, and its already delivered prefix is skipped.
    static func decideResumption(_ head: ResponseHeaderParser, entity: PublishedEntity, in context: ExchangeContext) -> HeadDecision {
        let status = head.status
        if retryableStatuses.contains(status) {
            guard context.attempt < context.maxAttempts else {
                return .fail(.resumeFailed("upstream answered \(status) while resuming at byte \(context.delivered)"))
            }
            return .retry(status: status, retryAfter: retryAfter(head))
        }
        let offset = entity.rangeStart + context.delivered
        switch status {
        case 206:
            guard let range = head.value("Content-Range").flatMap(ContentRange.init), range.first == offset else {
                return .fail(.resumeFailed(
                    "expected a range starting at \(offset), got \(head.value("Content-Range") ?? "none")"))
            }
            if let known = entity.entityLength, let total = range.total, known != total {
                return .fail(.resumeFailed("entity length changed from \(known) to \(total)"))
            }
            return .resume(skipping: 0)
        case 200 where entity.head.status == 200:
            if let changed = entityChange(head, from: entity) {
                return .fail(.resumeFailed("entity changed while resuming: \(changed)"))
            }
            return .resume(skipping: context.delivered)
        default:
            return .fail(.resumeFailed("upstream answered \(status) when resuming at byte \(offset)"))
        }
    }

    /// Describes how the `200` response head `head` differs from the published `entity`, if it does:
    /// its length, else its strong ETag, else (without an ETag) its `Last-Modified`.
    static func entityChange(_ head: ResponseHeaderParser, from entity: PublishedEntity) -> String? {
        let length = head.value("Content-Length").flatMap { Int64($0) }
        if let known = entity.entityLength, let length, known != length {
            return "length \(known) → \(length)"
        }
        if let etag = entity.etag, let now = head.value("ETag"), etag != now {
            return "ETag \(etag) → \(now)"
        }
        if entity.etag == nil, let modified = entity.lastModified, let now = head.value("Last-Modified"), modified != now {
            return "Last-Modified \(modified) → \(now)"
        }
        return nil
    }

    /// `Retry-After` in delta-seconds form, if present.
    static func retryAfter(_ head: ResponseHeaderParser) -> Duration? {
        guard let value = head.value("Retry-After"), let seconds = Int(value), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
