import LarderAPI

/// A request path under `/v2/`, parsed: `/v2/<name>/manifests/<reference>` or `/v2/<name>/blobs/<digest>`.
public enum OCIRequestPath: Sendable, Hashable {
    /// `/v2/` itself (the API version check).
    case base
    /// A manifest by tag or digest.
    case manifest(OCIName, OCIReference)
    /// A blob by digest.
    case blob(OCIName, BlobDigest)

    /// Parses `path` (starting `/v2/`, without the query); throws an OCI failure for a path the pull API does not
    /// have or an invalid name, reference or digest.
    public init(_ path: String) throws(LarderFailure) {
        guard path.hasPrefix("/v2") else {
            throw .oci(.notFound, .nameUnknown, "not a registry path: \(path.prefix(200))")
        }
        let rest = path.dropFirst(3)
        if rest.isEmpty || rest == "/" {
            self = .base
            return
        }
        let parts = rest.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3 else {
            throw .oci(.notFound, .nameUnknown, "no such registry endpoint: \(path.prefix(200)); expected /v2/<name>/manifests/<reference> or /v2/<name>/blobs/<digest>")
        }
        let kind = parts[parts.count - 2]
        let last = parts[parts.count - 1]
        let name = try OCIName(parts[..<(parts.count - 2)].joined(separator: "/"))
        switch kind {
        case "manifests":
            self = .manifest(name, try OCIReference(last))
        case "blobs":
            self = .blob(name, try OCIDigest.parse(last))
        default:
            throw .oci(.notFound, .nameUnknown, "no such registry endpoint: \(path.prefix(200)); this mirror serves manifests and blobs (pull only)")
        }
    }
}
