import Foundation
import LarderAPI
import LarderStore
import Logging

extension HFMirror {
    /// Where the bytes of a file come from.
    package enum FileSource: Sendable {
        /// Stored: the handle keeps the blob from being evicted while it is read.
        case stored(BlobHandle)
        /// Being fetched from the upstream; `started` when this request started the transfer.
        case filling(Fill, Fill.Head, started: Bool)
    }

    /// Opens `entry` of `manifest`: from the store, or by starting (or joining) a fill from the upstream.
    ///
    /// A `.filling` source holds a lease on the fill's chunks; the caller hands it to a ``BlobStreamer``.
    package func open(_ entry: HFFileEntry, of manifest: HFManifest, authorization: String?, pin: Bool = false) async throws(LarderFailure) -> FileSource {
        let repo = manifest.repo
        let known: BlobDigest?
        do {
            known = try catalog.contentDigest(repo, commit: manifest.commit, entry: entry)
            if let known, let handle = try store.open(known) {
                return .stored(handle)
            }
        } catch {
            throw LarderFailure(.internalFailure, "store_error", "\(error)")
        }
        // The fill writes the file's ref before it reports completion, so a request arriving right after it finds
        // the content (small files have no digest in the manifest to look it up by).
        var request = FillCoordinator.Request(url: hub.fileURL(repo, commit: manifest.commit, path: entry.path),
                                              expected: known,
                                              refName: HFCatalog.fileRefName(repo, commit: manifest.commit, path: entry.path))
        request.headers = hub.token.authorization(clientAuthorization: authorization)
        request.pin = pin
        request.peerPath = PeerPaths.hfFile(prefix: configuration.pathPrefix, repo: repo, commit: manifest.commit, path: entry.path)
        request.peerHeaders = authorization.map { [("Authorization", $0)] } ?? []
        let (fill, started) = fills.fill(request)
        let head: Fill.Head
        do {
            head = try await fill.waitForHead()
        } catch {
            throw Self.fillError(error, entry: entry, repo: repo)
        }
        if let length = head.contentLength, length != entry.size {
            throw LarderFailure(.upstreamFailed, "size_mismatch",
                              "upstream sent \(length) bytes for \(entry.path) of \(repo)@\(manifest.commit), whose size is \(entry.size)")
        }
        store.acquireLease(id: head.blobID)
        Task.detached { [self] in
            await self.recordWhenComplete(fill, entry: entry, manifest: manifest)
        }
        return .filling(fill, head, started: started)
    }

    /// Opens `entry` of `manifest` for reading from the store, fetching it from the upstream first when it is not
    /// stored (and waiting for that). Release the handle when done.
    public func storedFile(_ entry: HFFileEntry, of manifest: HFManifest, pin: Bool = false) async throws(LarderFailure) -> BlobHandle {
        switch try await open(entry, of: manifest, authorization: nil, pin: pin) {
        case .stored(let handle):
            return handle
        case .filling(let fill, let head, _):
            store.releaseLease(id: head.blobID)
            let record: BlobRecord
            switch await Self.outcome(of: fill) {
            case .success(let completed): record = completed
            case .failure(let error): throw error
            }
            let handle: BlobHandle?
            do {
                handle = try store.open(record.digest)
            } catch {
                throw LarderFailure(.internalFailure, "store_error", "\(error)")
            }
            guard let handle else {
                throw LarderFailure(.internalFailure, "evicted", "\(entry.path) was evicted right after it was fetched; the store is too small")
            }
            return handle
        }
    }

    /// Waits for a fill, checks it against the manifest (size; git blob id of small files) and records the file's
    /// refs. A small file whose content does not match its blob id is deleted again.
    package func recordWhenComplete(_ fill: Fill, entry: HFFileEntry, manifest: HFManifest) async {
        guard case .success(let record) = await Self.outcome(of: fill) else { return }
        let repo = manifest.repo
        do {
            guard record.size == entry.size else {
                throw LarderFailure(.upstreamFailed, "size_mismatch", "\(record.size) bytes instead of \(entry.size)")
            }
            if entry.lfs == nil {
                let blobID = try gitBlobID(of: record.digest)
                guard blobID == nil || blobID == entry.blobID else {
                    _ = try await store.delete(record.digest)
                    throw LarderFailure(.upstreamFailed, "blob_id_mismatch", "git blob id \(blobID ?? "?") instead of \(entry.blobID)")
                }
            }
            try await catalog.recordFile(repo, commit: manifest.commit, entry: entry, digest: record.digest)
        } catch {
            logger.error("hf fill does not match the manifest; not recorded", metadata: [
                "repo": "\(repo)", "commit": "\(manifest.commit)", "path": "\(entry.path)", "error": "\(error)",
            ])
        }
    }

    /// The git blob id of a stored blob (nil when it is gone or larger than 64 MiB, which small files never are).
    package func gitBlobID(of digest: BlobDigest) throws -> String? {
        guard let handle = try store.open(digest), handle.record.size <= 64 << 20 else { return nil }
        defer { handle.release() }
        var hasher = HFGit.BlobHasher(length: handle.record.size)
        for index in 0..<handle.record.chunkCount {
            guard try handle.withChunk(index, { hasher.update(bufferPointer: $0) }) != nil else { return nil }
        }
        return hasher.finalize()
    }

    /// The end of a fill: its record or its failure.
    package static func outcome(of fill: Fill) async -> Result<BlobRecord, LarderFailure> {
        while true {
            let snapshot = fill.snapshot
            switch snapshot.outcome {
            case .completed(let record): return .success(record)
            case .failed(let error): return .failure(error)
            case .running: await fill.waitForChange(after: snapshot.version)
            }
        }
    }

    /// A fill failure as the client sees it: a 404 upstream for a file the manifest lists is the upstream's
    /// inconsistency (502), anything else as the core maps it.
    package static func fillError(_ error: LarderFailure, entry: HFFileEntry, repo: HFRepoID) -> LarderFailure {
        if error.kind == .notFound {
            return LarderFailure(.upstreamFailed, "upstream_missing_file", "the upstream lists \(entry.path) in \(repo) but does not serve it: \(error.message)")
        }
        return error
    }
}
