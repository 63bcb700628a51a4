import Foundation
import LarderAPI
import LarderStore
import Logging
import Synchronization
import Upstream

/// Single-flight for upstream fills: the first request for a missing object starts one transfer; requests for
/// the same object while it runs join it.
public final class FillCoordinator: Sendable {
    /// What to fetch and how to file it.
    public struct Request: Sendable {
        /// The upstream URL.
        public var url: String
        /// The digest the content must have, when known; then the digest is also the single-flight key.
        public var expected: BlobDigest?
        /// The ref to point at the blob once published (e.g. `url:<url>`).
        public var refName: String?
        /// Extra request headers for the upstream (e.g. an authorization token).
        public var headers: [(name: String, value: String)] = []
        /// Pin the blob when published.
        public var pin: Bool = false
        /// Sign the upstream request with AWS Signature Version 4 (an S3 object); redirects are then refused.
        public var awsSigning: AWSSigning?
        /// What clients are told when the upstream answers a non-2xx status (with the start of its body); nil: the
        /// generic mapping of ``clientError(for:url:)``. The OCI mirror passes registry codes on this way.
        public var statusFailure: (@Sendable (_ status: Int, _ body: String) -> LarderFailure)?
        /// The path and query that ask a peer for the same object through the same protocol (e.g.
        /// `/fetch?url=…&sha256=…`); nil: this object is never fetched from peers.
        public var peerPath: String?
        /// Headers sent with ``peerPath`` (e.g. the caller's `Authorization`, which the owner checks itself).
        public var peerHeaders: [(name: String, value: String)] = []

        /// Creates a request for `url`.
        public init(url: String, expected: BlobDigest?, refName: String?) {
            self.url = url
            self.expected = expected
            self.refName = refName
        }

        /// The single-flight key: the digest when known, else the URL.
        public var key: String { expected.map { $0.description } ?? "url:" + url }
    }

    /// The store fills write into.
    public let store: BlobStore
    /// The client fills transfer with.
    public let upstream: UpstreamClient
    /// The hosts fills and their redirects may reach.
    public let allowlist: UpstreamAllowlist
    /// Where fills are counted.
    public let metrics: LarderMetrics
    /// Where fills log.
    public let logger: Logger
    /// The most fills running at once; past it a new fill fails at once as ``LarderFailure/Kind/unavailable``
    /// with a `Retry-After` (a fill already running can always be joined).
    public let maxFills: Int
    /// The peer tier a miss asks first; nil without peers.
    public let peers: PeerTier?
    let running = Mutex<[String: Fill]>([:])
    /// Recent fills whose content did not match the digest the request named, by ``mismatchKey(url:expected:)``:
    /// the error and when it happened.
    let mismatches = Mutex<[String: (error: LarderFailure, at: ContinuousClock.Instant)]>([:])

    /// How long a failed verification of (URL, sha256) is remembered. Clients already streaming a fill learn of
    /// the mismatch only as a body cut short (the status was sent before the last byte could be checked); a
    /// request for the same pair within this time is answered at once with 502 `digest_mismatch` naming both
    /// digests, instead of transferring the content again to fail the same way.
    public static let mismatchMemory: Duration = .seconds(60)

    /// Creates a coordinator filling `store` from `upstream`, following redirects only to allowed hosts, with at most
    /// `maxFills` transfers at once.
    public init(store: BlobStore, upstream: UpstreamClient, allowlist: UpstreamAllowlist, metrics: LarderMetrics, logger: Logger,
                maxFills: Int = 64, peers: PeerTier? = nil) {
        self.maxFills = max(1, maxFills)
        self.peers = peers
        self.store = store
        self.upstream = upstream
        self.allowlist = allowlist
        self.metrics = metrics
        self.logger = logger
    }

    /// Number of fills running now.
    public var inFlight: Int { running.withLock { $0.count } }

    /// Returns the running fill for `request`, starting one when there is none; `started` tells which. Past
    /// ``maxFills`` the fill returned has already failed (``LarderFailure/Kind/unavailable``, retry later).
    ///
    /// A fill started for a request with a ``Request/peerPath`` asks the object's owners first, unless this
    /// request itself came from a peer (``PeerHop/incoming``): a peer hop is never forwarded again.
    public func fill(_ request: Request) -> (fill: Fill, started: Bool) {
        let (fill, started, refused) = running.withLock { running -> (Fill, Bool, Bool) in
            if let existing = running[request.key] { return (existing, false, false) }
            let fill = Fill(key: request.key)
            guard running.count < maxFills else { return (fill, true, true) }
            running[request.key] = fill
            return (fill, true, false)
        }
        if refused {
            var failure = LarderFailure(.unavailable, "too_many_fills",
                                        "\(maxFills) upstream fills are running (--max-fills); ask again in a few seconds")
            failure.headers["Retry-After"] = "2"
            metrics.fillsFailed.increment()
            fill.update { $0.outcome = .failed(failure) }
            return (fill, true)
        }
        if started {
            if PeerHop.incoming != nil { peers?.metrics.hopsServed.increment() }
            start(fill, request, owners: owners(for: request))
        }
        return (fill, started)
    }

    /// The peers to ask for `request` before its upstream, best first.
    func owners(for request: Request) -> [PeerAddress] {
        guard let peers, request.peerPath != nil, PeerHop.incoming == nil else { return [] }
        return peers.owners(for: request.key)
    }

    /// Runs `fill` in its own task and forgets it once it ended (unless it was replaced meanwhile).
    func start(_ fill: Fill, _ request: Request, owners: [PeerAddress]) {
        metrics.fillsInFlight.set(Double(inFlight))
        Task.detached { [self] in
            await self.run(fill, request, owners: owners)
            self.running.withLock { running in
                if running[request.key] === fill { running[request.key] = nil }
            }
            self.metrics.fillsInFlight.set(Double(self.inFlight))
        }
    }

    /// The digest mismatch found for `url` and `expected` within the last ``mismatchMemory``, if any.
    public func recentMismatch(url: String, expected: BlobDigest) -> LarderFailure? {
        let key = Self.mismatchKey(url: url, expected: expected)
        let now = ContinuousClock.now
        return mismatches.withLock { mismatches in
            mismatches = mismatches.filter { now - $0.value.at < Self.mismatchMemory }
            return mismatches[key]?.error
        }
    }

    static func mismatchKey(url: String, expected: BlobDigest) -> String {
        expected.description + " " + url
    }

    /// Maps a fill failure to what the clients are told.
    public static func clientError(for error: any Error, url: String) -> LarderFailure {
        if let full = LarderFailure.storageFull(error) { return full }
        switch error {
        case UpstreamFailure.status(let status, let body):
            let detail = body.isEmpty ? "" : ": " + body.prefix(200).trimmingCharacters(in: .whitespacesAndNewlines)
            if status == 404 || status == 410 {
                return LarderFailure(.notFound, "upstream_not_found", "upstream answered \(status) for \(url)\(detail)")
            }
            return LarderFailure(.upstreamFailed, "upstream_status", "upstream answered \(status) for \(url)\(detail); nothing was cached")
        case let error as UpstreamError:
            switch error {
            case .timedOut(let message):
                return LarderFailure(.upstreamTimedOut, "upstream_timeout", "upstream timed out for \(url): \(message)")
            case .redirectNotAllowed(let target):
                return LarderFailure(.notPermitted, "redirect_not_allowed", "upstream redirected to \(target), whose host is not in --allow-upstream")
            default:
                return LarderFailure(.upstreamFailed, "upstream_failed", "fetching \(url) failed: \(error)")
            }
        case let error as StoreError:
            switch error {
            case .insufficientStorage:
                return LarderFailure(.storeFull, "insufficient_storage", error.description)
            case .digestMismatch:
                return LarderFailure(.upstreamFailed, "digest_mismatch", "\(url): \(error); nothing was cached")
            case .sizeMismatch:
                return LarderFailure(.upstreamFailed, "size_mismatch", "\(url): upstream sent a body of the wrong length (\(error)); nothing was cached")
            default:
                return LarderFailure(.internalFailure, "store_error", error.description)
            }
        default:
            return LarderFailure(.upstreamFailed, "upstream_failed", "fetching \(url) failed: \(error)")
        }
    }
}
