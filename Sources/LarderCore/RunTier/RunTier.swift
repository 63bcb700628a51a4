import LarderAPI
import LarderStore
import Logging
import RunArchive
import Upstream

/// The S3 run tier of one server: the client, the outbox uploader and the remote reader.
public struct RunTier: Sendable {
    /// The S3 client.
    public let s3: S3Client
    /// Drains the outbox into S3 (run it with ``RunTierUploader/run()``).
    public let uploader: RunTierUploader
    let reader: RunArchiveReader

    /// Creates the tier for `configuration` over `store`.
    public init(configuration: RunArchiveConfiguration, store: BlobStore, upstream: UpstreamClient, logger: Logger) {
        let s3 = S3Client(configuration: configuration, credentials: S3CredentialSource(file: configuration.credentialsFile),
                          upstream: upstream)
        self.s3 = s3
        self.uploader = RunTierUploader(store: store, s3: s3, logger: logger)
        self.reader = RunArchiveReader(s3: s3)
    }

    /// The request that reads artifact blob `digest` from the tier (for a fill into the local store).
    public func blobRequest(_ digest: BlobDigest) throws -> UpstreamRequest {
        do {
            return try s3.readRequest(RunArchiveKeys.blob(s3.configuration.location, digest))
        } catch let failure as S3Failure {
            throw LarderFailure(failure)
        }
    }
}
