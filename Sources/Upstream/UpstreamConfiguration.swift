/// Tunables of an ``UpstreamClient``: timeouts, retry budget, redirect limit and body buffering.
public struct UpstreamConfiguration: Sendable {
    /// Longest time to wait for a TCP (and TLS) connection to be established.
    public var connectTimeout: Duration
    /// A transfer is aborted when it moves less than one byte per second for this long
    /// (`CURLOPT_LOW_SPEED_LIMIT`/`CURLOPT_LOW_SPEED_TIME`, rounded up to whole seconds).
    /// `.zero` disables stall detection.
    public var stallTimeout: Duration
    /// Total attempts for one request, including the first; retries and body resumptions share it.
    public var maxAttempts: Int
    /// Delay before the first retry; doubled for each further retry and capped at ``maximumBackoff``.
    public var initialBackoff: Duration
    /// Most redirects followed for one attempt.
    public var maxRedirects: Int
    /// Size of the body blocks handed to the consumer; every block but the last has exactly this size.
    public var blockSize: Int
    /// Most full blocks queued between the transfer thread and the consumer before the transfer waits.
    public var maxBufferedBlocks: Int
    /// Value of the `User-Agent` request header.
    public var userAgent: String

    /// Upper bound of the delay between two attempts.
    public static let maximumBackoff: Duration = .seconds(5)

    /// Creates a configuration; every argument has a production default.
    public init(
        connectTimeout: Duration = .seconds(10),
        stallTimeout: Duration = .seconds(30),
        maxAttempts: Int = 4,
        initialBackoff: Duration = .milliseconds(200),
        maxRedirects: Int = 10,
        blockSize: Int = 1 << 20,
        maxBufferedBlocks: Int = 4,
        userAgent: String = "larder/0.1"
    ) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxRedirects = maxRedirects
        self.blockSize = blockSize
        self.maxBufferedBlocks = maxBufferedBlocks
        self.userAgent = userAgent
    }

    /// Delay before retry number `retry` (1 for the first retry): `initialBackoff * 2^(retry-1)`, capped.
    func backoff(beforeRetry retry: Int) -> Duration {
        var delay = max(initialBackoff, .zero)
        var step = 1
        while step < retry && delay < Self.maximumBackoff {
            delay *= 2
            step += 1
        }
        return min(delay, Self.maximumBackoff)
    }

    /// The configuration with out-of-range values clamped to usable ones.
    var sanitized: UpstreamConfiguration {
        var copy = self
        copy.maxAttempts = max(1, maxAttempts)
        copy.maxRedirects = max(0, maxRedirects)
        copy.blockSize = max(1, blockSize)
        copy.maxBufferedBlocks = max(1, maxBufferedBlocks)
        return copy
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var larderSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
