/// AWS Signature Version 4 for a request, computed by libcurl itself (`CURLOPT_AWS_SIGV4`).
///
/// The caller sends `x-amz-content-sha256` (the body's SHA-256, or `UNSIGNED-PAYLOAD`): libcurl 7.88 signs that
/// header's value as the payload hash, and without it computes the hash of an empty body for streamed uploads.
/// Only the first exchange is signed: a redirect elsewhere is not sent the signature.
public struct AWSSigning: Sendable, Hashable {
    /// The region of the credential scope, e.g. `us-east-1`.
    public var region: String
    /// The service of the credential scope, e.g. `s3`.
    public var service: String
    /// The access key id.
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`.
    public var sessionToken: String?

    /// Creates signing parameters.
    public init(region: String, service: String = "s3", accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.region = region
        self.service = service
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The `CURLOPT_AWS_SIGV4` value: `aws:amz:<region>:<service>`.
    var curlProvider: String { "aws:amz:\(region):\(service)" }
}
