import Foundation

/// How the Hugging Face–compatible mirror (`/hf`) reaches the Hub and how long it trusts what it learned.
public struct HFConfiguration: Sendable {
    /// The upstream Hub, e.g. `https://huggingface.co`, or another Larder's `http://host:7480/hf`.
    public var upstream: String = "https://huggingface.co"
    /// A file holding the token sent upstream (re-read when it changes, so a rotated Kubernetes secret is picked
    /// up without a restart). Takes precedence over ``token``.
    public var tokenFile: String?
    /// A token sent upstream when no token file is set (`HF_TOKEN`).
    public var token: String?
    /// How long a branch or tag → commit resolution is trusted before the upstream is asked again. A stale
    /// resolution is still served while the upstream is unreachable.
    public var revisionTTL: Duration = .seconds(300)
    /// The path prefix clients put in `HF_ENDPOINT` (`http://host:7480/hf`).
    public var pathPrefix: String = "/hf"
    /// Gated or private repositories served from the cache to callers without their own token (see
    /// ``HFCallerAccess``).
    public var publicRepos = HFPublicRepos()
    /// How long a caller's access to a gated or private repository, checked upstream with the caller's token, is
    /// trusted before it is checked again (allowed and refused alike).
    public var accessTTL: Duration = .seconds(60)
    /// Files fetched at once per warm reference.
    public var warmFileConcurrency: Int = 4

    /// The defaults: the public Hub, no token, a five-minute revision TTL.
    public init() {}

    /// The upstream URL without trailing slashes.
    package var upstreamBase: String {
        var base = upstream.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
