import RunArchive

extension LarderFailure {
    /// What a client is told of a run archive failure: S3 busy or throttling → unavailable, credentials → an internal
    /// failure (the server's configuration), anything else → the upstream failed. The code and sentence are kept.
    public init(_ failure: S3Failure) {
        let kind: Kind
        if failure.status == 503 || failure.status == 429 {
            kind = .unavailable
        } else if failure.code == "s3_credentials" {
            kind = .internalFailure
        } else {
            kind = .upstreamFailed
        }
        self.init(kind, failure.code, failure.message)
    }

    /// Runs `body`, turning an ``S3Failure`` into a ``LarderFailure``.
    static func mappingS3<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as S3Failure {
            throw LarderFailure(failure)
        }
    }
}
