import Foundation
import LarderAPI
import Upstream

extension HFMirror {
    /// Resolves `revision` of `repo` for a client request, then checks that the caller may read it (see
    /// ``HFCallerAccess``): every `/hf` read of a repository goes through here, so the file list of a gated or
    /// private repository is as protected as its files.
    public func resolveForCaller(_ repo: HFRepoID, revision: String, authorization: String?) async throws(LarderFailure) -> Resolution {
        let resolution = try await resolve(repo, revision: revision, authorization: authorization)
        try await checkCallerAccess(resolution.manifest, authorization: authorization)
        return resolution
    }

    /// Throws unless the caller sending `authorization` may read `manifest`'s repository.
    package func checkCallerAccess(_ manifest: HFManifest, authorization: String?) async throws(LarderFailure) {
        let repo = manifest.repo
        let restriction = HFCallerAccess.restriction(of: manifest)
        guard restriction != .open, !configuration.publicRepos.contains(repo) else { return }
        guard let authorization = authorization.flatMap({ $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }) else {
            hfMetrics.access.refused.increment()
            throw HFCallerAccess.tokenRequired(repo, restriction)
        }
        if let known = callerAccess.remembered(authorization, repo) {
            hfMetrics.access.remembered.increment()
            if case .failure(let refusal) = known { throw refusal }
            return
        }
        hfMetrics.access.upstream.increment()
        let refusal = try await hub.checkAccess(repo, commit: manifest.commit, authorization: authorization)
        callerAccess.remember(authorization, repo, refusal: refusal)
        logger.info("hf caller access checked upstream", metadata: [
            "repo": "\(repo)", "commit": "\(manifest.commit)", "restriction": "\(restriction)",
            "allowed": "\(refusal == nil)", "status": "\(refusal.map { "\($0.kind)" } ?? "ok")",
        ])
        if let refusal {
            hfMetrics.access.refused.increment()
            throw refusal
        }
    }
}

extension HFUpstream {
    /// Asks the Hub whether `authorization` (the caller's own header, never the server's token) may read `repo` at
    /// `commit`: nil when it may, the refusal to pass on when it may not. Throws when the Hub cannot answer, so
    /// nothing is served unchecked.
    package func checkAccess(_ repo: HFRepoID, commit: String, authorization: String) async throws(LarderFailure) -> LarderFailure? {
        let url = "\(base)/api/\(repo.type.plural)/\(repo.name)/revision/\(Self.encode(commit))"
        let request = UpstreamRequest(url: url, headers: [("Authorization", authorization), ("Accept", "application/json")])
        let status: Int
        let failure: Failure
        do {
            let response = try await client.send(request)
            status = response.head.status
            if (200..<300).contains(status) {
                response.cancel()
                return nil
            }
            let text = (try? await response.collect(upTo: 4096)) ?? []
            failure = Self.failure(status: status, head: response.head, body: text, url: url)
        } catch {
            throw Self.unavailable(error, url: url)
        }
        switch failure {
        case .status(let status, let code, let message):
            return HFErrors.upstream(status: status, errorCode: code, message: message)
        case .unavailable(let error):
            throw LarderFailure(error.kind, error.code, "cannot check access to \(repo) upstream: \(error.message)")
        case .invalid(let message):
            throw LarderFailure(.upstreamFailed, "upstream_invalid", message)
        }
    }
}
