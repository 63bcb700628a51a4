import Foundation
import LarderAPI
import LarderStore
import Upstream

extension OCIMirror {
    /// Where a blob's bytes come from.
    public enum BlobAnswer: Sendable {
        /// Stored: held open (release it when done).
        case stored(BlobHandle)
        /// Being filled from the upstream; the caller holds a lease on the fill's chunks. `started` tells whether
        /// this request started the fill or joined one.
        case filling(Fill, Fill.Head, started: Bool)
        /// Not stored, for a HEAD: the upstream has it with this length.
        case upstream(length: Int64?)
    }

    /// Answers a blob request: from the store without touching the upstream; for a HEAD of a missing blob, the
    /// upstream's HEAD; else the single-flight fill for the digest (a client streams the bytes as they land).
    public func blob(_ target: RegistryTarget, _ digest: BlobDigest, headOnly: Bool) async throws(LarderFailure) -> BlobAnswer {
        do {
            if let handle = try store.open(digest) {
                metrics.request(target.host, kind: "blob", result: "hit")
                return .stored(handle)
            }
        } catch {
            throw Self.storeFailure(error)
        }
        let url = target.url("blobs", digest.description)
        let what = "blob \(digest) of \(target.displayName)"
        if headOnly {
            let response = try await registryClient.send(target, url: url, method: .head)
            response.cancel()
            guard (200..<300).contains(response.head.status) else {
                throw RegistryFailures.status(response.head.status, body: [], retryAfter: response.head.header("Retry-After"),
                                              notFoundCode: .blobUnknown, what: what)
            }
            metrics.request(target.host, kind: "blob", result: "head")
            return .upstream(length: response.head.contentLength)
        }
        if let mismatch = fills.recentMismatch(url: url, expected: digest) { throw mismatch }
        let authorization = try await registryClient.authorization(for: target, probe: true)
        // The probe may have waited on the registry: a fill of this blob that completed meanwhile has published it,
        // and a second transfer must not start (concurrent pulls make one upstream transfer).
        do {
            if let handle = try store.open(digest) {
                metrics.request(target.host, kind: "blob", result: "hit")
                return .stored(handle)
            }
        } catch {
            throw Self.storeFailure(error)
        }
        var request = FillCoordinator.Request(url: url, expected: digest, refName: nil)
        if let authorization { request.headers = [("Authorization", authorization)] }
        request.peerPath = PeerPaths.ociBlob(target, digest)
        request.statusFailure = { status, body in
            RegistryFailures.status(status, body: Array(body.utf8), retryAfter: nil, notFoundCode: .blobUnknown, what: what)
        }
        let (fill, started) = fills.fill(request)
        metrics.request(target.host, kind: "blob", result: started ? "miss" : "coalesced")
        if started { account(fill, host: target.host) }
        let head = try await fill.waitForHead()
        if head.contentLength == 0 {
            // A client takes an empty response as complete at its head: answer once the empty blob is published.
            _ = try await fill.waitForCompletion()
        }
        store.acquireLease(id: head.blobID)
        return .filling(fill, head, started: started)
    }

    /// Adds a fill's bytes and duration to its registry's metrics once it completes.
    private func account(_ fill: Fill, host: String) {
        let metrics = self.metrics
        let started = ContinuousClock.now
        Task.detached {
            guard let record = try? await fill.waitForCompletion() else { return }
            metrics.upstreamBytes(host, record.size)
            metrics.fillDuration(host, ContinuousClock.now - started)
        }
    }
}
