import Crypto
import Foundation
import LarderAPI
import LarderCore
import LarderCore
import LarderStore
import Synchronization

/// `larder import --as hf://…` and `larder export hf://…`.
public enum HFTransfer {
    /// Stores every file of `directory` and files them as `reference` (a generated commit when it names no
    /// 40-hex revision; a branch name given as revision becomes one of the branches).
    public static func importDirectory(_ directory: String, as reference: HFReference, branches: [String], pin: Bool,
                                       backend: any HFBackend, progress: ProgressReporter?) async throws -> HFImportResult {
        let files = try HFLocalDirectory.files(in: directory)
        progress?.setTotal(files.reduce(0) { $0 + $1.size })
        var imported: [HFImportRequest.File] = []
        for file in files {
            let digest = try await backend.storeFile(path: file.location, size: file.size)
            imported.append(HFImportRequest.File(path: file.path, digest: digest, size: file.size))
            progress?.advance(Int(file.size))
        }
        progress?.finish()
        var revision: String?
        var allBranches = branches
        if reference.explicitRevision {
            if HFRevision.isCommit(reference.revision) {
                revision = reference.revision
            } else if !allBranches.contains(reference.revision) {
                allBranches.append(reference.revision)
            }
        }
        if allBranches.isEmpty { allBranches = ["main"] }
        let request = HFImportRequest(repo: reference.repo, revision: revision, branches: allBranches, files: imported, pin: pin)
        return try await backend.importRevision(request)
    }

    /// What an export wrote.
    public struct ExportResult: Sendable, Codable {
        /// The commit exported.
        public var commit: String
        /// Files written.
        public var files: Int
        /// Bytes written.
        public var bytes: Int64
    }

    /// Writes every file of `reference` (those matching `include`/`exclude`) below `directory`, verifying each
    /// against the manifest (SHA-256 for LFS files, git blob id otherwise).
    public static func export(_ reference: HFReference, to directory: String, include: [String], exclude: [String],
                              backend: any HFBackend, progress: ProgressReporter?) async throws -> ExportResult {
        let manifest = try await backend.manifest(reference)
        let wanted = Set(HFGlob.filter(manifest.files.map(\.path), include: include, exclude: exclude))
        let files = manifest.files.filter { wanted.contains($0.path) }
        guard !files.isEmpty else { throw ClientError("no file of \(reference.repo)@\(manifest.commit) matches") }
        progress?.setTotal(files.reduce(0) { $0 + $1.size })
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        // Every destination is checked before anything is written: an existing directory is never replaced.
        var destinations: [URL] = []
        for entry in files {
            do {
                try HFPath.validate(entry.path)
            } catch {
                throw ClientError("refusing to write \(entry.path): \(error)")
            }
            let destination = root.appendingPathComponent(entry.path).standardizedFileURL
            guard destination.path.hasPrefix(root.path + "/") else {
                throw ClientError("refusing to write \(entry.path) outside \(directory)")
            }
            try OutputFile.checkWritable(destination.path)
            destinations.append(destination)
        }
        try createDirectory(root, for: directory)
        var bytes: Int64 = 0
        for (entry, destination) in zip(files, destinations) {
            try createDirectory(destination.deletingLastPathComponent(), for: entry.path)
            let output = try OutputFile(path: destination.path)
            let check = ContentCheck(entry: entry)
            do {
                try await backend.download(entry, of: manifest, to: output) { block in
                    check.update(block)
                    progress?.advance(block.count)
                }
                try check.verify()
                try output.commit()
            } catch {
                output.discard()
                throw error
            }
            bytes += entry.size
        }
        progress?.finish()
        return ExportResult(commit: manifest.commit, files: files.count, bytes: bytes)
    }
}

/// Creates `url` and its parents; a plain sentence when a file is in the way.
private func createDirectory(_ url: URL, for name: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw ClientError("cannot write \(name): \(url.path) is a file, not a directory") }
        return
    }
    do {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
        throw ClientError("cannot create the directory \(url.path) for \(name): check that it can be written")
    }
}

/// Checks downloaded bytes against a manifest entry.
final class ContentCheck: Sendable {
    private let entry: HFFileEntry
    private let state: Mutex<(sha256: SHA256, git: HFGit.BlobHasher, count: Int64)>

    init(entry: HFFileEntry) {
        self.entry = entry
        self.state = Mutex((SHA256(), HFGit.BlobHasher(length: entry.size), 0))
    }

    func update(_ block: [UInt8]) {
        state.withLock { state in
            state.count += Int64(block.count)
            if entry.lfs != nil { state.sha256.update(data: block) } else { state.git.update(block) }
        }
    }

    func verify() throws {
        let (sha256, git, count) = state.withLock { ($0.sha256, $0.git, $0.count) }
        guard count == entry.size else {
            throw ClientError("\(entry.path): received \(count) bytes, expected \(entry.size)")
        }
        if let lfs = entry.lfs {
            let actual = BlobDigest(bytes: Array(sha256.finalize()))?.hex ?? ""
            guard actual == lfs.sha256 else { throw ClientError("\(entry.path): SHA-256 \(actual) does not match \(lfs.sha256)") }
        } else {
            let actual = git.finalize()
            guard actual == entry.blobID else { throw ClientError("\(entry.path): git blob id \(actual) does not match \(entry.blobID)") }
        }
    }
}
