import Crypto
import Foundation
import LarderAPI
import Synchronization

/// Who may read a cached gated or private Hugging Face repository.
///
/// The cache holds content fetched with whichever token was at hand (a caller's own, or the server's `HF_TOKEN`),
/// so serving it must not depend on who fetched it. The model:
/// - a repository the Hub reports neither `gated` nor `private` (and every imported one) is served to everyone;
/// - one the operator marked public (`--hf-public-repo`) likewise;
/// - otherwise the caller must send their own `Authorization`, and the Hub must accept it for that repository at
///   that commit: checked with one metadata request (`GET /api/<type>s/<repo>/revision/<commit>`, the caller's
///   token only), remembered per (SHA-256 of the header, repository) for ``HFConfiguration/accessTTL``. Without a
///   token the answer is 401 (`GatedRepo`, or `RepoNotFound` for a private repository, as the Hub answers);
///   a refused token gets the Hub's own answer. When the Hub cannot be asked, the request fails (502/504) rather
///   than serve unchecked.
package final class HFCallerAccess: Sendable {
    /// Why a repository needs a check.
    package enum Restriction: Sendable, Equatable {
        case open, gated, restricted
    }

    /// A remembered answer.
    private struct Decision {
        var refusal: LarderFailure?
        var until: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let decisions = Mutex<[String: Decision]>([:])
    /// Most remembered answers; past it expired ones are dropped, then all.
    static let capacity = 10_000

    package init(ttl: Duration) {
        self.ttl = ttl
    }

    /// What the Hub said about `manifest`'s repository: `private: true`, `gated: "auto" | "manual" | true`.
    package static func restriction(of manifest: HFManifest) -> Restriction {
        guard manifest.origin != "import", let info = manifest.info else { return .open }
        if case .bool(true)? = info["private"] { return .restricted }
        switch info["gated"] {
        case .bool(true)?: return .gated
        case .string(let mode)? where !mode.isEmpty && mode != "false": return .gated
        default: return .open
        }
    }

    /// The key of a caller's answer for `repo`: the token itself is never kept.
    static func key(_ authorization: String, _ repo: HFRepoID) -> String {
        let digest = SHA256.hash(data: Array(authorization.utf8))
        return digest.map { String(format: "%02x", $0) }.joined() + " " + repo.key
    }

    /// The remembered answer for `authorization` and `repo`: nil when unknown or expired; `.success` when allowed.
    package func remembered(_ authorization: String, _ repo: HFRepoID) -> Result<Void, LarderFailure>? {
        let key = Self.key(authorization, repo)
        let now = ContinuousClock.now
        return decisions.withLock { decisions in
            guard let decision = decisions[key], decision.until > now else { return nil }
            return decision.refusal.map { .failure($0) } ?? .success(())
        }
    }

    /// Remembers that `authorization` may (`refusal` nil) or may not read `repo`.
    package func remember(_ authorization: String, _ repo: HFRepoID, refusal: LarderFailure?) {
        let key = Self.key(authorization, repo)
        let now = ContinuousClock.now
        decisions.withLock { decisions in
            if decisions.count >= Self.capacity {
                decisions = decisions.filter { $0.value.until > now }
                if decisions.count >= Self.capacity { decisions.removeAll() }
            }
            decisions[key] = Decision(refusal: refusal, until: now + ttl)
        }
    }

    /// The answer to a caller without a token for a restricted repository.
    package static func tokenRequired(_ repo: HFRepoID, _ restriction: Restriction) -> LarderFailure {
        switch restriction {
        case .restricted:
            // The Hub does not confirm that a private repository exists.
            return HFErrors.hub(.upstreamStatus(401), "RepoNotFound", "repo_not_found",
                                "repository \(repo) was not found, or it is private and needs your own token (set HF_TOKEN)")
        case .gated, .open:
            return HFErrors.hub(.upstreamStatus(401), "GatedRepo", "gated_repo",
                                "access to \(repo) is restricted: send your own Hugging Face token (set HF_TOKEN) with access to it")
        }
    }
}
