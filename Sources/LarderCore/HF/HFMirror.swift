import Foundation
import LarderAPI
import LarderStore
import Logging
import Synchronization
import Upstream

/// The Hugging Face mirror: resolves revisions (cached with a TTL, served stale while the upstream is down),
/// keeps per-commit manifests, and serves files from the store or fills them from the upstream Hub.
///
/// The server's HTTP routes (`HFRoutes`), `POST /warm` jobs and the CLI's `--data` mode all go through this one type.
public final class HFMirror: Sendable {
    /// How the mirror reaches the Hub.
    public let configuration: HFConfiguration
    /// The blob store.
    public let store: BlobStore
    package let catalog: HFCatalog
    package let hub: HFUpstream
    /// Fills from the Hub: redirects are followed to the upstream's host and the Hub's CDNs.
    package let fills: FillCoordinator
    /// The `/fetch` coordinator (its allowlist applies to `https://…` warm references).
    package let urlFills: FillCoordinator
    package let metrics: LarderMetrics
    package let hfMetrics: HFMetrics
    package let logger: Logger
    /// Upstream revision look-ups in progress, by `repo@revision`: concurrent clients share one.
    private let lookups = Mutex<[String: Task<HFManifest, any Error>]>([:])
    /// Until when (seconds since 1970) expired branches are served stale without asking the upstream, after it
    /// failed: while it is down, every request would otherwise wait for another failed attempt.
    private let upstreamDownUntil = Mutex<Double>(0)
    /// How long the upstream is left alone after it could not be reached.
    package static let upstreamRetryInterval: Double = 15
    /// `POST /warm` jobs.
    public let warmJobs: WarmJobs
    /// Callers' remembered access to gated and private repositories.
    package let callerAccess: HFCallerAccess
    /// The OCI registry mirror, which warms `oci://` references.
    package let oci: OCIMirror?

    /// Creates the mirror over the server's store and upstream client: `upstreamConfiguration` is the upstream
    /// client's, `allowlist` the `--allow-upstream` hosts (HF fills may also be redirected to them); `oci` warms
    /// `oci://` references.
    public init(configuration hf: HFConfiguration, upstreamConfiguration: UpstreamConfiguration, allowlist: UpstreamAllowlist,
                store: BlobStore, upstream: UpstreamClient, fills: FillCoordinator, metrics: LarderMetrics, logger: Logger,
                oci: OCIMirror? = nil) {
        self.configuration = hf
        self.oci = oci
        self.store = store
        self.catalog = HFCatalog(store: store)
        self.logger = logger
        // Revision look-ups decide whether a stale answer is served: they must fail fast, not retry for long.
        var apiConfiguration = upstreamConfiguration
        apiConfiguration.maxAttempts = min(apiConfiguration.maxAttempts, 2)
        apiConfiguration.connectTimeout = min(apiConfiguration.connectTimeout, .seconds(5))
        apiConfiguration.stallTimeout = min(apiConfiguration.stallTimeout, .seconds(30))
        self.hub = HFUpstream(base: hf.upstreamBase, client: UpstreamClient(configuration: apiConfiguration, logger: logger),
                              token: HFToken(file: hf.tokenFile, token: hf.token), logger: logger)
        self.fills = FillCoordinator(store: store, upstream: upstream,
                                     allowlist: Self.redirectAllowlist(upstream: hf.upstreamBase, extra: allowlist),
                                     metrics: metrics, logger: logger, maxFills: fills.maxFills, peers: fills.peers)
        self.urlFills = fills
        self.metrics = metrics
        self.hfMetrics = HFMetrics(registry: metrics.registry)
        self.warmJobs = WarmJobs()
        self.callerAccess = HFCallerAccess(ttl: hf.accessTTL)
    }

    /// Hosts an HF fill may be redirected to: the upstream itself, the Hub's CDNs, and `--allow-upstream` hosts.
    package static func redirectAllowlist(upstream: String, extra: UpstreamAllowlist) -> UpstreamAllowlist {
        var entries = ["huggingface.co", "*.huggingface.co", "hf.co", "*.hf.co"] + extra.entries
        if let url = URL(string: upstream), let host = url.host {
            entries.append(url.port.map { "\(host):\($0)" } ?? host)
        }
        return UpstreamAllowlist(entries)
    }

    /// A revision resolved to a manifest.
    public struct Resolution: Sendable {
        /// The commit's manifest.
        public var manifest: HFManifest
        /// Set when a branch resolution was older than the TTL and the upstream could not refresh it.
        public var stale: Bool
    }

    /// Resolves `revision` (a commit, branch or tag) of `repo`.
    ///
    /// Commits are looked up once and kept; branches are re-resolved upstream after the TTL (imported branches
    /// never), and a stale resolution is served when the upstream cannot be reached.
    public func resolve(_ repo: HFRepoID, revision: String, authorization: String?) async throws(LarderFailure) -> Resolution {
        do {
            if HFRevision.isCommit(revision) {
                if let manifest = try catalog.manifest(repo, commit: revision) { return Resolution(manifest: manifest, stale: false) }
                return Resolution(manifest: try await lookUp(repo, revision: revision, authorization: authorization), stale: false)
            }
            guard let branch = try catalog.branch(repo, revision: revision),
                  let known = try catalog.manifest(digest: branch.manifestDigest) else {
                return Resolution(manifest: try await lookUp(repo, revision: revision, authorization: authorization), stale: false)
            }
            let age = Date().timeIntervalSince1970 - branch.updated
            if branch.imported || age < configuration.revisionTTL.seconds {
                hfMetrics.revisions.cached.increment()
                return Resolution(manifest: known, stale: false)
            }
            if upstreamDownUntil.withLock({ $0 }) > Date().timeIntervalSince1970 {
                hfMetrics.revisions.stale.increment()
                return Resolution(manifest: known, stale: true)
            }
            do {
                let fresh = try await lookUp(repo, revision: revision, authorization: authorization)
                upstreamDownUntil.withLock { $0 = 0 }
                return Resolution(manifest: fresh, stale: false)
            } catch let error as LarderFailure where error.kind.isServerSide {
                upstreamDownUntil.withLock { $0 = Date().timeIntervalSince1970 + Self.upstreamRetryInterval }
                hfMetrics.revisions.stale.increment()
                logger.warning("hf upstream unavailable; serving stale revisions for a while", metadata: [
                    "repo": "\(repo)", "revision": "\(revision)", "commit": "\(known.commit)",
                    "age_s": "\(Int(age))", "retry_after_s": "\(Int(Self.upstreamRetryInterval))", "error": "\(error.message)",
                ])
                return Resolution(manifest: known, stale: true)
            }
        } catch let error as LarderFailure {
            throw error
        } catch {
            throw LarderFailure(.internalFailure, "store_error", "\(error)")
        }
    }

    /// Asks the upstream (one request per `repo@revision` at a time), stores the manifest and the branch.
    private func lookUp(_ repo: HFRepoID, revision: String, authorization: String?) async throws -> HFManifest {
        let key = "\(repo.key)@\(revision)"
        let (task, started) = lookups.withLock { lookups -> (Task<HFManifest, any Error>, Bool) in
            if let running = lookups[key] { return (running, false) }
            let task = Task<HFManifest, any Error> { [self] in
                defer { _ = self.lookups.withLock { $0.removeValue(forKey: key) } }
                return try await self.fetchAndStore(repo, revision: revision, authorization: authorization)
            }
            lookups[key] = task
            return (task, true)
        }
        if !started { hfMetrics.revisions.coalesced.increment() }
        return try await task.value
    }

    private func fetchAndStore(_ repo: HFRepoID, revision: String, authorization: String?) async throws -> HFManifest {
        hfMetrics.revisions.upstream.increment()
        let manifest: HFManifest
        do {
            manifest = try await hub.manifest(repo, revision: revision, authorization: authorization)
        } catch {
            switch error {
            case .status(let status, let code, let message):
                if status == 404 && code == nil {
                    throw HFErrors.hub(.notFound, "RepoNotFound", "repo_not_found", "upstream Hub: \(message) (\(repo)@\(revision))")
                }
                throw HFErrors.upstream(status: status, errorCode: code, message: message)
            case .unavailable(let failure):
                throw LarderFailure(failure.kind, failure.code, "\(failure.message); \(repo)@\(revision) is not cached")
            case .invalid(let message):
                throw LarderFailure(.upstreamFailed, "upstream_invalid", "\(message) (\(repo)@\(revision))")
            }
        }
        if HFRevision.isCommit(revision) && manifest.commit != revision {
            throw LarderFailure(.upstreamFailed, "upstream_invalid", "the upstream answered commit \(manifest.commit) for \(revision)")
        }
        if let authorization, !authorization.isEmpty {
            // The Hub just answered this caller's own token: no second request to check their access.
            callerAccess.remember(authorization, repo, refusal: nil)
        }
        let digest = try await catalog.save(manifest)
        let stored = try catalog.manifest(digest: digest) ?? manifest
        if !HFRevision.isCommit(revision) {
            try await catalog.setBranch(repo, revision: revision, commit: stored.commit, manifestDigest: digest, imported: false)
        }
        return stored
    }
}
