import Crypto
import Foundation
import LarderAPI
import LarderStore
import Synchronization

/// Where the mirror keeps what it knows, as refs in the blob store:
///
/// - `hf-manifest:<type>/<repo>@<commit>` → the commit's ``HFManifest`` (a small pinned JSON blob);
/// - `hf-branch:<type>/<repo>@<branch>` → the manifest the branch (or tag) pointed at when last resolved, with
///   `commit` and `origin` attributes (`import` branches are authoritative and never expire);
/// - `hf:<type>/<repo>@<commit>/<path>` → the file's content, with `etag`, `size` and `blobId` attributes;
/// - `hf-git:<blobId>` → the content of a small (non-LFS) file by its git blob id, so an unchanged file is not
///   fetched again for a new commit.
package final class HFCatalog: Sendable {
    package let store: BlobStore
    /// Decoded manifests by blob digest (bounded): serving a file must not re-parse a large manifest each time.
    private let cache = Mutex<[BlobDigest: HFManifest]>([:])
    private static let cacheLimit = 64

    package init(store: BlobStore) {
        self.store = store
    }

    /// A branch or tag resolution as last recorded.
    package struct BranchRecord: Sendable {
        var commit: String
        var manifestDigest: BlobDigest
        /// When it was resolved (seconds since 1970).
        var updated: Double
        /// Set by an import: authoritative, never re-resolved upstream.
        var imported: Bool
    }

    package static func manifestRefName(_ repo: HFRepoID, commit: String) -> String { "hf-manifest:\(repo.key)@\(commit)" }
    package static func branchRefName(_ repo: HFRepoID, revision: String) -> String { "hf-branch:\(repo.key)@\(revision)" }
    package static func gitRefName(_ blobID: String) -> String { "hf-git:\(blobID)" }

    /// `hf:<type>/<repo>@<commit>/<path>`; paths too long for an LMDB key are replaced by `~<sha256 of the path>`.
    package static func fileRefName(_ repo: HFRepoID, commit: String, path: String) -> String {
        let name = "hf:\(repo.key)@\(commit)/\(path)"
        guard name.utf8.count > 480 else { return name }
        return "hf:\(repo.key)@\(commit)/~" + BlobDigest(hashing: Array(path.utf8)).hex
    }

    /// The stored manifest of `commit`, or nil.
    package func manifest(_ repo: HFRepoID, commit: String) throws -> HFManifest? {
        guard let ref = try store.ref(Self.manifestRefName(repo, commit: commit)) else { return nil }
        return try manifest(digest: ref.digest)
    }

    /// The manifest stored as blob `digest`, or nil when the blob is gone.
    package func manifest(digest: BlobDigest) throws -> HFManifest? {
        if let cached = cache.withLock({ $0[digest] }) { return cached }
        guard let handle = try store.open(digest) else { return nil }
        defer { handle.release() }
        var bytes = Data()
        bytes.reserveCapacity(Int(handle.record.size))
        for index in 0..<handle.record.chunkCount {
            guard try handle.withChunk(index, { bytes.append(contentsOf: $0) }) != nil else { return nil }
        }
        let manifest = try JSONDecoder().decode(HFManifest.self, from: bytes)
        remember(manifest, digest: digest)
        return manifest
    }

    private func remember(_ manifest: HFManifest, digest: BlobDigest) {
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit, let victim = cache.keys.first { cache[victim] = nil }
            cache[digest] = manifest
        }
    }

    /// Stores `manifest` (pinned: it is small and an air-gapped import cannot be fetched again) and its ref.
    /// A commit's manifest is immutable: an existing one is kept.
    @discardableResult
    package func save(_ manifest: HFManifest) async throws -> BlobDigest {
        let name = Self.manifestRefName(manifest.repo, commit: manifest.commit)
        if let existing = try store.ref(name), try store.record(existing.digest) != nil {
            return existing.digest
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(manifest))
        let record = try await store.put(bytes, mediaType: "application/json", source: name, pinned: true)
        if !record.pinned { _ = try await store.setPinned(record.digest, true) }
        try await store.setRef(name, RefRecord(digest: record.digest, attributes: ["commit": manifest.commit]))
        remember(manifest, digest: record.digest)
        return record.digest
    }

    /// The recorded resolution of branch or tag `revision`, or nil.
    package func branch(_ repo: HFRepoID, revision: String) throws -> BranchRecord? {
        guard let ref = try store.ref(Self.branchRefName(repo, revision: revision)),
              let commit = ref.attributes["commit"] else { return nil }
        return BranchRecord(commit: commit, manifestDigest: ref.digest, updated: ref.updated,
                            imported: ref.attributes["origin"] == "import")
    }

    /// Points branch or tag `revision` at the manifest `digest` of `commit`.
    package func setBranch(_ repo: HFRepoID, revision: String, commit: String, manifestDigest: BlobDigest, imported: Bool) async throws {
        try await store.setRef(Self.branchRefName(repo, revision: revision),
                               RefRecord(digest: manifestDigest, attributes: ["commit": commit, "origin": imported ? "import" : "upstream"]))
    }

    /// The content digest of `entry` when known: from the manifest, the file's ref, or the git blob id's ref.
    package func contentDigest(_ repo: HFRepoID, commit: String, entry: HFFileEntry) throws -> BlobDigest? {
        if let digest = entry.digest { return digest }
        if let ref = try store.ref(Self.fileRefName(repo, commit: commit, path: entry.path)) { return ref.digest }
        return try store.ref(Self.gitRefName(entry.blobID))?.digest
    }

    /// Records that `entry` of `commit` has content `digest` (its `hf:` ref, and its `hf-git:` ref for small files).
    package func recordFile(_ repo: HFRepoID, commit: String, entry: HFFileEntry, digest: BlobDigest) async throws {
        var attributes = ["etag": entry.etag, "size": String(entry.size), "blobId": entry.blobID]
        if entry.lfs != nil { attributes["lfs"] = "true" }
        try await store.setRef(Self.fileRefName(repo, commit: commit, path: entry.path),
                               RefRecord(digest: digest, attributes: attributes))
        if entry.lfs == nil {
            try await store.setRef(Self.gitRefName(entry.blobID), RefRecord(digest: digest, attributes: ["size": String(entry.size)]))
        }
    }

    /// Every branch or tag recorded for `repo` with the commit it points at.
    package func branches(_ repo: HFRepoID) throws -> [(revision: String, commit: String)] {
        let prefix = "hf-branch:\(repo.key)@"
        return try store.refs(prefix: prefix).compactMap { entry in
            guard let commit = entry.ref.attributes["commit"] else { return nil }
            return (String(entry.name.dropFirst(prefix.count)), commit)
        }
    }
}
