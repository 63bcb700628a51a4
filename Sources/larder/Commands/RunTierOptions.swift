import ArgumentParser
import LarderClient
import LarderCore
import LarderStore
import RunArchive

/// `larder serve` options of the S3 run tier.
struct RunTierOptions: ParsableArguments {
    @Option(name: .customLong("runs-s3"), help: "Keep task records and artifacts also in S3 at s3://BUCKET/PREFIX, so every node answers for whole runs (credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN or --s3-credentials-file).")
    var runsS3: String?

    @Option(name: .customLong("s3-endpoint"), help: "S3 endpoint URL for MinIO, Ceph or a test server (default: AWS for --s3-region).")
    var endpoint: String?

    @Option(name: .customLong("s3-region"), help: "Region requests are signed for.")
    var region: String = "us-east-1"

    @Flag(name: .customLong("s3-path-style"), help: "Address the bucket in the path (MinIO and most test servers need it).")
    var pathStyle: Bool = false

    @Option(name: .customLong("s3-credentials-file"), help: "AWS shared credentials file ([default] or $AWS_PROFILE), re-read when it changes.")
    var credentialsFile: String?

    @Option(name: .customLong("s3-part-size"), help: "Artifacts larger than this are uploaded in parts of this size (at least 5MiB).")
    var partSize: String = "64MiB"

    func validate() throws {
        if let runsS3, S3Location(parsing: runsS3) == nil {
            throw ValidationError("--runs-s3 \(runsS3) is not s3://BUCKET[/PREFIX] with \(RunArchiveConfiguration.bucketRule)")
        }
        if let problem = RunArchiveConfiguration.endpointProblem(endpoint) { throw ValidationError(problem) }
        guard let size = ByteCount.parse(partSize), size >= 5 << 20, size <= 5 << 30 else {
            throw ValidationError("--s3-part-size must be between 5MiB and 5GiB (S3's part limits)")
        }
        if runsS3 == nil && (endpoint != nil || credentialsFile != nil) {
            throw ValidationError("--s3-endpoint and --s3-credentials-file need --runs-s3 s3://BUCKET/PREFIX")
        }
    }

    /// The tier's configuration, or nil without `--runs-s3`.
    func configuration() -> RunArchiveConfiguration? {
        guard let runsS3, let location = S3Location(parsing: runsS3) else { return nil }
        var configuration = RunArchiveConfiguration(location: location)
        configuration.endpoint = endpoint
        configuration.region = region
        configuration.pathStyle = pathStyle
        configuration.credentialsFile = credentialsFile
        configuration.partSize = ByteCount.parse(partSize) ?? configuration.partSize
        return configuration
    }
}
