/// Why an S3 operation failed, in words a person can act on.
public struct S3Failure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code: `s3_unreachable`, `s3_credentials`, `s3_bad_answer`, `s3_error`, `s3_corrupt`.
    public var code: String
    /// One sentence naming the problem (S3's own error code and message when it sent one).
    public var message: String
    /// The HTTP status S3 answered with, when it answered.
    public var status: Int?

    /// Creates a failure.
    public init(_ code: String, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// Whether trying again later may succeed (S3 unreachable, busy or throttling).
    public var isTransient: Bool {
        code == "s3_unreachable" || status == 503 || status == 429 || (status ?? 0) >= 500
    }

    public var description: String { message }
}
