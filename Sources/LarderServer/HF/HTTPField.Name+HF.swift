import HTTPTypes
import LarderCore

extension HTTPField.Name {
    /// The commit a resolve answer is about; the Hub client refuses a server that does not send it.
    static let xRepoCommit = HTTPField.Name(HFErrors.repoCommitHeader)!
    /// The ETag of the linked (LFS) content.
    static let xLinkedEtag = HTTPField.Name("X-Linked-Etag")!
    /// The size of the linked (LFS) content.
    static let xLinkedSize = HTTPField.Name("X-Linked-Size")!
    /// The Hub's machine-readable error (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
    static let xErrorCode = HTTPField.Name(HFErrors.errorCodeHeader)!
    /// The Hub's human-readable error, which the client prints.
    static let xErrorMessage = HTTPField.Name(HFErrors.errorMessageHeader)!
    /// Whether a branch resolution came from a cache the upstream could not refresh.
    static let larderRevision = HTTPField.Name("X-Larder-Revision")!
    /// `Link`, for tree pagination (`rel="next"`).
    static let link = HTTPField.Name("Link")!
    /// Set by a reverse proxy in front of this server.
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    /// Set by a reverse proxy in front of this server.
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
}
