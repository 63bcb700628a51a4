/// The error codes of the OCI Distribution Specification (v1.1, "Error Codes") that the mirror answers with.
///
/// A ``LarderFailure`` raised by the mirror carries one of these as its ``LarderFailure/code``; the server renders
/// failures under `/v2/` as `{"errors":[{"code":…,"message":…,"detail":…}]}`.
public enum OCIErrorCode: String, Sendable, CaseIterable {
    /// The blob is unknown to the registry.
    case blobUnknown = "BLOB_UNKNOWN"
    /// The digest did not match, or is not a digest.
    case digestInvalid = "DIGEST_INVALID"
    /// The manifest is unknown.
    case manifestUnknown = "MANIFEST_UNKNOWN"
    /// The manifest is invalid.
    case manifestInvalid = "MANIFEST_INVALID"
    /// The repository name is invalid.
    case nameInvalid = "NAME_INVALID"
    /// The repository name (or its registry) is not known.
    case nameUnknown = "NAME_UNKNOWN"
    /// Authentication is required.
    case unauthorized = "UNAUTHORIZED"
    /// Access to the resource is denied.
    case denied = "DENIED"
    /// The operation is unsupported (push, delete).
    case unsupported = "UNSUPPORTED"
    /// Too many requests.
    case tooManyRequests = "TOOMANYREQUESTS"
    /// The requested range cannot be served.
    case rangeInvalid = "RANGE_INVALID"
    /// Anything else (distribution's catch-all).
    case unknown = "UNKNOWN"

    /// The OCI code a failure is answered with: its own code when that is an OCI code, else one derived from its
    /// kind (a store or upstream failure has a Larder code such as `upstream_timeout`, kept as the detail).
    public static func of(_ failure: LarderFailure) -> OCIErrorCode {
        if let code = OCIErrorCode(rawValue: failure.code) { return code }
        switch failure.kind {
        case .rangeOutsideContent: return .rangeInvalid
        case .unsupportedOperation: return .unsupported
        case .notPermitted: return .denied
        case .upstreamStatus(401): return .unauthorized
        case .upstreamStatus(403): return .denied
        case .upstreamStatus(429): return .tooManyRequests
        default: return .unknown
        }
    }
}

extension LarderFailure {
    /// A failure answered under `/v2/` with the OCI error `code`.
    public static func oci(_ kind: Kind, _ code: OCIErrorCode, _ message: String) -> LarderFailure {
        LarderFailure(kind, code.rawValue, message)
    }
}
