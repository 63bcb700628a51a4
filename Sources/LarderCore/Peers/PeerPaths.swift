import LarderAPI

/// The requests one node sends an owner: the same protocol request a client would send, so the owner applies its
/// own allowlist, authorisation and single-flight.
public enum PeerPaths {
    /// `/fetch?url=<url>[&sha256=<hex>]`.
    public static func fetch(url: String, expected: BlobDigest?) -> String {
        var path = "/fetch?url=" + PercentEscaping.segment(url)
        if let expected { path += "&sha256=" + expected.hex }
        return path
    }

    /// `<prefix>/[<type>s/]<repo>/resolve/<commit>/<path>` with the caller's own `Authorization`, which the owner
    /// checks against the Hub itself (gated repositories).
    public static func hfFile(prefix: String, repo: HFRepoID, commit: String, path: String) -> String {
        "\(prefix)/\(repo.type.urlPrefix)\(repo.name)/resolve/\(PercentEscaping.segment(commit))/\(PercentEscaping.path(path))"
    }

    /// `/v2/<name>/blobs/<digest>?ns=<registry host>`: the owner pulls with its own registry credentials.
    public static func ociBlob(_ target: RegistryTarget, _ digest: BlobDigest) -> String {
        "/v2/\(target.name.value)/blobs/\(digest)?ns=" + PercentEscaping.segment(target.host)
    }
}

extension FillCoordinator.Request {
    /// A `/fetch` fill of `url` (ref `url:<url>`) that may be sourced from the object's owner.
    public static func fetch(url: String, expected: BlobDigest?) -> Self {
        var request = Self(url: url, expected: expected, refName: "url:" + url)
        request.peerPath = PeerPaths.fetch(url: url, expected: expected)
        return request
    }
}
