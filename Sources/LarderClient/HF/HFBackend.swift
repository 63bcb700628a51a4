import Foundation
import LarderAPI
import LarderStore

/// What `larder import`, `export` and `warm` need from a Larder, through a server (``HFServerBackend``) or on a
/// data directory (``HFLocalBackend``).
public protocol HFBackend: Sendable {
    /// Stores the file at `path` (of `size` bytes) as a blob unless it is stored already; returns its digest.
    func storeFile(path: String, size: Int64) async throws -> BlobDigest
    /// Files stored blobs as a commit of a repository.
    func importRevision(_ request: HFImportRequest) async throws -> HFImportResult
    /// The manifest `reference` resolves to.
    func manifest(_ reference: HFReference) async throws -> HFManifest
    /// Writes file `entry` of `manifest` to `output`, passing each block to `consume` as well.
    func download(_ entry: HFFileEntry, of manifest: HFManifest, to output: OutputFile,
                  consume: @Sendable ([UInt8]) -> Void) async throws
    /// Starts a warm job.
    func startWarm(_ request: WarmRequest) async throws -> String
    /// The status of warm job `id`.
    func warmStatus(_ id: String) async throws -> WarmStatus
}

/// A local file to import: its path in the repository and on disk.
public struct HFLocalFile: Sendable, Equatable {
    /// Path in the repository (`/`-separated, relative).
    public var path: String
    /// Absolute path on disk.
    public var location: String
    /// Size in bytes.
    public var size: Int64
}

/// Lists the files of a model directory for import.
public enum HFLocalDirectory {
    /// Every regular file below `directory` (following symbolic links, as in a Hub cache snapshot), skipping `.git/`
    /// and the Hub client's `.cache/huggingface/` metadata; sorted by path.
    public static func files(in directory: String) throws -> [HFLocalFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClientError("\(directory) is not a directory")
        }
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath()
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else {
            throw ClientError("cannot list \(directory)")
        }
        var files: [HFLocalFile] = []
        while let relative = enumerator.nextObject() as? String {
            if relative == ".git" || relative.hasPrefix(".git/") || relative.hasPrefix(".cache/huggingface") {
                continue
            }
            let location = root.appendingPathComponent(relative).path
            let resolved = URL(fileURLWithPath: location).resolvingSymlinksInPath().path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDir), !isDir.boolValue else { continue }
            let attributes = try FileManager.default.attributesOfItem(atPath: resolved)
            guard (attributes[.type] as? FileAttributeType) == .typeRegular else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            do {
                try HFPath.validate(relative)
            } catch {
                throw ClientError("\(relative): \(error)")
            }
            files.append(HFLocalFile(path: relative, location: resolved, size: size))
        }
        guard !files.isEmpty else { throw ClientError("\(directory) holds no files to import") }
        return files.sorted { $0.path < $1.path }
    }
}
