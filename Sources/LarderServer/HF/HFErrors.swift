import HTTPTypes
import Hummingbird
import LarderAPI

extension HTTPField.Name {
    /// The commit a resolve answer is about; the Hub client refuses a server that does not send it.
    static let xRepoCommit = HTTPField.Name("X-Repo-Commit")!
    /// The ETag of the linked (LFS) content.
    static let xLinkedEtag = HTTPField.Name("X-Linked-Etag")!
    /// The size of the linked (LFS) content.
    static let xLinkedSize = HTTPField.Name("X-Linked-Size")!
    /// The Hub's machine-readable error (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
    static let xErrorCode = HTTPField.Name("X-Error-Code")!
    /// The Hub's human-readable error, which the client prints.
    static let xErrorMessage = HTTPField.Name("X-Error-Message")!
    /// Whether a branch resolution came from a cache the upstream could not refresh.
    static let larderRevision = HTTPField.Name("X-Larder-Revision")!
    /// `Link`, for tree pagination (`rel="next"`).
    static let link = HTTPField.Name("Link")!
    /// Set by a reverse proxy in front of this server.
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    /// Set by a reverse proxy in front of this server.
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
}

/// Errors in the Hub's shape: the status, `X-Error-Code` and `X-Error-Message` the client maps to its exception
/// types, with Larder's JSON body.
enum HFErrors {
    /// 404 `RepoNotFound`.
    static func repoNotFound(_ repo: HFRepoID, detail: String? = nil) -> LarderError {
        hub(.notFound, "RepoNotFound", "repo_not_found",
            detail ?? "repository \(repo) is not in this cache and the upstream Hub does not have it")
    }

    /// 404 `RevisionNotFound`.
    static func revisionNotFound(_ repo: HFRepoID, revision: String, detail: String? = nil) -> LarderError {
        hub(.notFound, "RevisionNotFound", "revision_not_found", detail ?? "revision \(revision) of \(repo) was not found")
    }

    /// 404 `EntryNotFound`, with the commit (the client caches the absence per commit).
    static func entryNotFound(_ repo: HFRepoID, commit: String, path: String) -> LarderError {
        var error = hub(.notFound, "EntryNotFound", "entry_not_found", "\(path) does not exist in \(repo) at commit \(commit)")
        error.headers[.xRepoCommit] = commit
        return error
    }

    /// An upstream error status passed on with its Hub error code.
    static func upstream(status: Int, errorCode: String?, message: String) -> LarderError {
        let code: String
        switch errorCode {
        case "RepoNotFound": code = "repo_not_found"
        case "RevisionNotFound": code = "revision_not_found"
        case "EntryNotFound": code = "entry_not_found"
        case "GatedRepo": code = "gated_repo"
        default: code = "upstream_status"
        }
        var error = LarderError(.status(status), code, "upstream Hub: \(message)")
        if let errorCode { error.headers[.xErrorCode] = errorCode }
        error.headers[.xErrorMessage] = headerSafe(error.message)
        return error
    }

    /// An error carrying `X-Error-Code: hubCode` and the message in `X-Error-Message`.
    static func hub(_ kind: LarderError.Kind, _ hubCode: String, _ code: String, _ message: String) -> LarderError {
        var error = LarderError(kind, code, message)
        error.headers[.xErrorCode] = hubCode
        error.headers[.xErrorMessage] = headerSafe(message)
        return error
    }

    /// Adds `X-Error-Message` (and the commit, when known) to any error answered on a Hub route.
    static func decorate(_ error: LarderError, commit: String?) -> LarderError {
        var error = error
        if error.headers[.xErrorMessage] == nil { error.headers[.xErrorMessage] = headerSafe(error.message) }
        if let commit, error.headers[.xRepoCommit] == nil { error.headers[.xRepoCommit] = commit }
        return error
    }

    /// `text` as a header value: printable ASCII only, at most 400 characters.
    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(400).map { scalar in
            (0x20..<0x7f).contains(scalar.value) ? scalar : "?"
        }))
    }
}
