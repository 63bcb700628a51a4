import Crypto
import Foundation
import LarderAPI
import LarderStore

extension HFMirror {
    /// Files `request.files` (already stored blobs) as a commit of the repository and points its branches at it.
    /// Imported branches are authoritative: they are never re-resolved upstream.
    public func importRevision(_ request: HFImportRequest) async throws(LarderFailure) -> HFImportResult {
        let repo: HFRepoID
        let branches = request.branches ?? ["main"]
        do {
            repo = try HFRepoID(type: request.repoType, name: request.repoID)
            if let revision = request.revision, !HFRevision.isCommit(revision) { throw HFInputError.invalidRevision(revision) }
            for branch in branches {
                try HFRevision.validate(branch)
                if HFRevision.isCommit(branch) { throw HFInputError.invalidRevision(branch) }
            }
            for file in request.files { try HFPath.validate(file.path) }
        } catch let error as HFInputError {
            throw error.clientError
        } catch {
            throw LarderFailure.invalidRequest("invalid_import", "\(error)")
        }
        guard !request.files.isEmpty else { throw .invalidRequest("empty_import", "an import needs at least one file") }
        guard Set(request.files.map(\.path)).count == request.files.count else {
            throw .invalidRequest("duplicate_path", "the import lists a path twice")
        }
        do {
            var entries: [HFFileEntry] = []
            for file in request.files {
                entries.append(try await entry(for: file, pin: request.pin))
            }
            let commit = request.revision ?? Self.generatedCommit(repo: repo, entries: entries)
            let manifest = HFManifest(repo: repo, commit: commit, files: entries, lastModified: Self.timestamp(Date()), origin: "import")
            if let existing = try catalog.manifest(repo, commit: commit), existing.files != manifest.files {
                throw LarderFailure(.conflict, "commit_exists",
                                  "\(repo)@\(commit) is already stored with other files; commits are immutable (import under another revision)")
            }
            let digest = try await catalog.save(manifest)
            for entry in manifest.files {
                if let content = entry.digest {
                    try await catalog.recordFile(repo, commit: commit, entry: entry, digest: content)
                }
            }
            for branch in branches {
                try await catalog.setBranch(repo, revision: branch, commit: commit, manifestDigest: digest, imported: true)
            }
            logger.info("hf import", metadata: [
                "repo": "\(repo)", "commit": "\(commit)", "branches": "\(branches.joined(separator: ","))",
                "files": "\(entries.count)", "bytes": "\(manifest.totalSize)",
            ])
            return HFImportResult(repo: repo.urlPath, commit: commit, branches: branches, files: entries.count, bytes: manifest.totalSize)
        } catch let error as LarderFailure {
            throw error
        } catch {
            throw LarderFailure(.internalFailure, "store_error", "\(error)")
        }
    }

    private func entry(for file: HFImportRequest.File, pin: Bool) async throws -> HFFileEntry {
        guard let record = try store.record(file.digest) else {
            throw LarderFailure(.invalidRequest, "blob_not_found", "\(file.path): blob \(file.digest) is not stored; upload it first (PUT /blobs/\(file.digest))")
        }
        guard record.size == file.size else {
            throw LarderFailure(.invalidRequest, "size_mismatch", "\(file.path): blob \(file.digest) has \(record.size) bytes, not \(file.size)")
        }
        if pin { _ = try await store.setPinned(file.digest, true) }
        let lfs = file.lfs ?? HFLFSRule.isLFS(path: file.path, size: file.size)
        var blobID = ""
        if !lfs {
            guard let computed = try gitBlobID(of: file.digest) else {
                throw LarderFailure(.invalidRequest, "too_large_for_git", "\(file.path) is too large to be stored outside LFS")
            }
            blobID = computed
        }
        return HFFileEntry.make(path: file.path, size: file.size, digest: file.digest, contentBlobID: blobID, lfs: lfs)
    }

    /// A commit id derived from the repository and its files, so importing the same directory twice gives the same id.
    package static func generatedCommit(repo: HFRepoID, entries: [HFFileEntry]) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("larder-import\n\(repo.key)\n".utf8))
        for entry in entries.sorted(by: { $0.path < $1.path }) {
            hasher.update(data: Array("\(entry.path)\0\(entry.digest?.hex ?? entry.blobID)\n".utf8))
        }
        return HFGit.hex(Array(hasher.finalize()))
    }

    /// ISO 8601 with milliseconds, as the Hub writes `lastModified`.
    package static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
