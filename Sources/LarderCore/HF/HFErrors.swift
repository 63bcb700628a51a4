import LarderAPI

/// Errors in the Hub's shape: the status, `X-Error-Code` and `X-Error-Message` the client maps to its exception
/// types, with Larder's JSON body.
package enum HFErrors {
    /// The commit a resolve answer is about; the Hub client refuses a server that does not send it.
    package static let repoCommitHeader = "X-Repo-Commit"
    /// The Hub's machine-readable error (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
    package static let errorCodeHeader = "X-Error-Code"
    /// The Hub's human-readable error, which the client prints.
    package static let errorMessageHeader = "X-Error-Message"

    /// 404 `RepoNotFound`.
    package static func repoNotFound(_ repo: HFRepoID, detail: String? = nil) -> LarderFailure {
        hub(.notFound, "RepoNotFound", "repo_not_found",
            detail ?? "repository \(repo) is not in this cache and the upstream Hub does not have it")
    }

    /// 404 `RevisionNotFound`.
    package static func revisionNotFound(_ repo: HFRepoID, revision: String, detail: String? = nil) -> LarderFailure {
        hub(.notFound, "RevisionNotFound", "revision_not_found", detail ?? "revision \(revision) of \(repo) was not found")
    }

    /// 404 `EntryNotFound`, with the commit (the client caches the absence per commit).
    package static func entryNotFound(_ repo: HFRepoID, commit: String, path: String) -> LarderFailure {
        var error = hub(.notFound, "EntryNotFound", "entry_not_found", "\(path) does not exist in \(repo) at commit \(commit)")
        error.headers[repoCommitHeader] = commit
        return error
    }

    /// An upstream error status passed on with its Hub error code.
    package static func upstream(status: Int, errorCode: String?, message: String) -> LarderFailure {
        let code: String
        switch errorCode {
        case "RepoNotFound": code = "repo_not_found"
        case "RevisionNotFound": code = "revision_not_found"
        case "EntryNotFound": code = "entry_not_found"
        case "GatedRepo": code = "gated_repo"
        default: code = "upstream_status"
        }
        var error = LarderFailure(.upstreamStatus(status), code, "upstream Hub: \(message)")
        if let errorCode { error.headers[errorCodeHeader] = errorCode }
        error.headers[errorMessageHeader] = headerSafe(error.message)
        return error
    }

    /// An error carrying `X-Error-Code: hubCode` and the message in `X-Error-Message`.
    package static func hub(_ kind: LarderFailure.Kind, _ hubCode: String, _ code: String, _ message: String) -> LarderFailure {
        var error = LarderFailure(kind, code, message)
        error.headers[errorCodeHeader] = hubCode
        error.headers[errorMessageHeader] = headerSafe(message)
        return error
    }

    /// Adds `X-Error-Message` (and the commit, when known) to any error answered on a Hub route.
    package static func decorate(_ error: LarderFailure, commit: String?) -> LarderFailure {
        var error = error
        if error.headers[errorMessageHeader] == nil { error.headers[errorMessageHeader] = headerSafe(error.message) }
        if let commit, error.headers[repoCommitHeader] == nil { error.headers[repoCommitHeader] = commit }
        return error
    }

    /// `text` as a header value: printable ASCII only, at most 400 characters.
    package static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(400).map { scalar in
            (0x20..<0x7f).contains(scalar.value) ? scalar : "?"
        }))
    }
}
