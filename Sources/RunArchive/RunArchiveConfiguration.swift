/// Where a run archive lives and how to reach it: `larder serve --runs-s3 …` and `runcmp diff s3://…`.
public struct RunArchiveConfiguration: Sendable {
    /// Bucket and prefix.
    public var location: S3Location
    /// The S3 endpoint (`http(s)://host[:port]`) for MinIO, Ceph or test servers; nil means AWS for ``region``.
    public var endpoint: String?
    /// The region requests are signed for.
    public var region: String = "us-east-1"
    /// Address the bucket in the path (`endpoint/bucket/key`) instead of the host name (needed by MinIO and most
    /// test servers).
    public var pathStyle: Bool = false
    /// A shared credentials file to read (re-read on change); nil uses the environment.
    public var credentialsFile: String?
    /// Artifacts larger than this go up as multipart uploads in parts of this size (S3's minimum part is 5 MiB).
    public var partSize: Int64 = 64 << 20
    /// How many outbox entries are sent at once.
    public var concurrency: Int = 8

    /// Creates a configuration for `location`.
    public init(location: S3Location) {
        self.location = location
    }

    /// A sentence naming what is wrong with an endpoint option (`--s3-endpoint`), nil when it is usable.
    public static func endpointProblem(_ endpoint: String?) -> String? {
        guard let endpoint else { return nil }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://"), endpoint.count > 8 else {
            return "--s3-endpoint \(endpoint) is not an http(s) URL such as http://127.0.0.1:9000"
        }
        return nil
    }

    /// What a bucket name must look like, for messages.
    public static let bucketRule = "a valid bucket name (3-63 lowercase letters, digits, '-' or '.')"

    /// The URL of `key` (already percent-encoded by ``S3Client``), with `query` appended when given.
    func url(encodedKey: String, query: String? = nil) -> String {
        let base: String
        if let endpoint {
            let trimmed = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            if pathStyle {
                base = "\(trimmed)/\(location.bucket)"
            } else if let schemeEnd = trimmed.range(of: "://") {
                base = trimmed[..<schemeEnd.upperBound] + location.bucket + "." + trimmed[schemeEnd.upperBound...]
            } else {
                base = "\(trimmed)/\(location.bucket)"
            }
        } else if pathStyle {
            base = "https://s3.\(region).amazonaws.com/\(location.bucket)"
        } else {
            base = "https://\(location.bucket).s3.\(region).amazonaws.com"
        }
        let path = encodedKey.isEmpty ? base + "/" : base + "/" + encodedKey
        return query.map { path + "?" + $0 } ?? path
    }
}
