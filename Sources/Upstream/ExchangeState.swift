/// State of one exchange (one `curl_easy_perform` for one URL), read and written by the libcurl callbacks.
///
/// A fresh value starts every exchange, so nothing of an earlier response (its head, its decision, a
/// stall) can leak into the next one.
struct ExchangeState {
    /// Where this exchange is sent.
    let target: ExchangeTarget
    /// Redirects followed before this exchange within its attempt.
    let hopCount: Int
    /// Header lines of the response so far.
    var parser = ResponseHeaderParser()
    /// What was decided when the response head completed; `nil` before.
    private(set) var decision: HeadDecision?
    /// Body bytes still to drop before delivering (re-download after a drop without range support).
    private(set) var skipRemaining: Int64 = 0
    /// Set when the exchange was aborted by a callback; thrown after `curl_easy_perform` returns.
    var failure: UpstreamError?
    /// Set when the progress callback aborted because nothing moved for the stall timeout.
    private(set) var stalled = false
    /// Last time bytes moved (or the consumer took a block).
    var lastActivity: ContinuousClock.Instant
    /// Bytes moved so far, as last reported to the progress callback.
    private(set) var lastProgressBytes: Int64 = 0

    /// A new exchange to `target`, started at `now`.
    init(target: ExchangeTarget, hopCount: Int, now: ContinuousClock.Instant = .now) {
        self.target = target
        self.hopCount = hopCount
        self.lastActivity = now
    }

    /// What happens to the response's body bytes.
    var disposition: BodyDisposition { decision?.disposition ?? .pending }

    /// Whether the response is a redirect to follow.
    var isRedirect: Bool {
        if case .followRedirect = decision { return true }
        return false
    }

    /// The retryable status that will be retried, with its `Retry-After`, if the response is one.
    var retryStatus: (status: Int, retryAfter: Duration?)? {
        if case .retry(let status, let retryAfter) = decision { return (status, retryAfter) }
        return nil
    }

    /// Records the decision taken at the end of the response head: a failure aborts the exchange,
    /// a resumption arms the number of body bytes to skip.
    mutating func record(_ decision: HeadDecision) {
        self.decision = decision
        switch decision {
        case .fail(let error): failure = error
        case .resume(let skipping): skipRemaining = skipping
        case .followRedirect, .retry, .publish: skipRemaining = 0
        }
    }

    /// Takes up to `available` bytes off the prefix still to skip; returns how many of them to drop.
    mutating func skip(upTo available: Int) -> Int {
        let skipped = Int(min(Int64(available), skipRemaining))
        skipRemaining -= Int64(skipped)
        return skipped
    }

    /// Notes `bytes` moved in total at `now`; returns `true` (and marks the exchange stalled) when nothing
    /// moved for `stallTimeout` (a zero timeout never stalls).
    mutating func noteProgress(bytes: Int64, at now: ContinuousClock.Instant, stallTimeout: Duration) -> Bool {
        if bytes != lastProgressBytes {
            lastProgressBytes = bytes
            lastActivity = now
        } else if stallTimeout > .zero && now - lastActivity >= stallTimeout {
            stalled = true
            return true
        }
        return false
    }
}

/// What happens to body bytes of the current exchange.
enum BodyDisposition {
    /// Headers not complete yet (or the exchange is being aborted): take no byte.
    case pending
    /// Body of a redirect or retried status: read and drop.
    case discard
    /// Body of the entity: skip the bytes still to skip, then append to the stream.
    case deliver
}
