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
    private let running = Mutex<[String: Fill]>([:])
    /// Recent fills whose content did not match the digest the request named, by ``mismatchKey(url:expected:)``:
    /// the error and when it happened.
    private let mismatches = Mutex<[String: (error: LarderFailure, at: ContinuousClock.Instant)]>([:])

    /// How long a failed verification of (URL, sha256) is remembered. Clients already streaming a fill learn of
    /// the mismatch only as a body cut short (the status was sent before the last byte could be checked); a
    /// request for the same pair within this time is answered at once with 502 `digest_mismatch` naming both
    /// digests, instead of transferring the content again to fail the same way.
    public static let mismatchMemory: Duration = .seconds(60)

    /// Creates a coordinator filling `store` from `upstream`, following redirects only to allowed hosts, with at most
    /// `maxFills` transfers at once.
    public init(store: BlobStore, upstream: UpstreamClient, allowlist: UpstreamAllowlist, metrics: LarderMetrics, logger: Logger,
                maxFills: Int = 64) {
        self.maxFills = max(1, maxFills)
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
            metrics.fillsInFlight.set(Double(inFlight))
            Task.detached { [self] in
                await self.run(fill, request)
                self.running.withLock { running in
                    if running[request.key] === fill { running[request.key] = nil }
                }
                self.metrics.fillsInFlight.set(Double(self.inFlight))
            }
        }
        return (fill, started)
    }

    private func run(_ fill: Fill, _ request: Request) async {
        let started = ContinuousClock.now
        var writer: BlobWriter?
        var received: Int64 = 0
        do {
            var upstreamRequest = UpstreamRequest(url: request.url)
            upstreamRequest.headers = request.headers
            let allowlist = self.allowlist
            upstreamRequest.redirectPolicy = { target in allowlist.allows(target) }
            if let signing = request.awsSigning {
                upstreamRequest.awsSigning = signing
                upstreamRequest.redirectPolicy = { _ in false }
            }
            let response = try await upstream.send(upstreamRequest)
            guard (200..<300).contains(response.head.status) else {
                let body = (try? await response.collect(upTo: 512)) ?? []
                response.cancel()
                throw UpstreamFailure.status(response.head.status, String(decoding: body, as: UTF8.self))
            }
            let length = response.head.contentLength
            let mediaType = response.head.header("Content-Type")
            let newWriter = try await store.makeWriter(expected: request.expected, expectedSize: length,
                                                       mediaType: mediaType, source: request.url, pinned: request.pin)
            writer = newWriter
            newWriter.observeCommits { committed in
                fill.update { $0.committedBytes = committed }
            }
            fill.update {
                $0.head = Fill.Head(blobID: newWriter.id, contentLength: length, mediaType: mediaType, expected: request.expected)
            }
            var refs: [String: [String: String]] = [:]
            if let refName = request.refName {
                var attributes: [String: String] = ["url": request.url]
                if let mediaType { attributes["content-type"] = mediaType }
                refs[refName] = attributes
            }
            let record = try await newWriter.write(response, expectedSize: length, refs: refs) { count in
                received += Int64(count)
                metrics.bytesFetched.increment(by: Int64(count))
            }
            fill.update { $0.outcome = .completed(record) }
            let elapsed = ContinuousClock.now - started
            metrics.fillDuration.record(elapsed)
            logger.info("fill completed", metadata: [
                "url": "\(request.url)", "digest": "\(record.digest)", "bytes": "\(record.size)",
                "seconds": "\(elapsed.seconds)",
            ])
        } catch {
            writer?.abort()
            var failure = Self.clientError(for: error, url: request.url)
            if case UpstreamFailure.status(let status, let body) = error, let statusFailure = request.statusFailure {
                failure = statusFailure(status, body)
            }
            if case StoreError.digestMismatch = error, let expected = request.expected {
                // Before the outcome is published: a client whose stream breaks and asks again gets this answer.
                let key = Self.mismatchKey(url: request.url, expected: expected)
                mismatches.withLock { $0[key] = (failure, .now) }
            }
            metrics.fillsFailed.increment()
            logger.warning("fill failed", metadata: [
                "url": "\(request.url)", "bytes": "\(received)", "error": "\(failure.message)",
            ])
            fill.update { $0.outcome = .failed(failure) }
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

    private static func mismatchKey(url: String, expected: BlobDigest) -> String {
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
