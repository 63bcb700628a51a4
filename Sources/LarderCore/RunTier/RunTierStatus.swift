/// What the run tier's uploader has done, for `/stats` and `/metrics`.
public struct RunTierStatus: Sendable, Codable, Hashable {
    /// `s3://bucket/prefix`.
    public var location: String
    /// Entries waiting in the outbox.
    public var outboxDepth: Int
    /// Seconds the oldest waiting entry has waited.
    public var outboxAgeSeconds: Double
    /// Records sent.
    public var recordsSent: Int
    /// Blobs sent (artifacts not already in S3).
    public var blobsSent: Int
    /// Blobs found already in S3 and skipped.
    public var blobsSkipped: Int
    /// Runs removed in S3.
    public var runsRemoved: Int
    /// The last failure, until the next success.
    public var lastError: String?
}
