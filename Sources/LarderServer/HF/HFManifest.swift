import Foundation
import LarderStore

/// What one commit of a repository holds: every file with what the Hub reports about it. Stored as a small
/// pinned JSON blob per commit; commits are immutable, so a manifest never changes once stored.
public struct HFManifest: Sendable, Codable, Equatable {
    /// The repository.
    public var repo: HFRepoID
    /// The 40-hex commit id.
    public var commit: String
    /// The files, sorted by path.
    public var files: [HFFileEntry]
    /// When the commit was made (ISO 8601), when known.
    public var lastModified: String?
    /// Where the manifest came from: `import` or the upstream URL.
    public var origin: String
    /// The Hub's repository information (everything but `siblings`), passed through to clients.
    public var info: [String: JSONValue]?

    /// Creates a manifest; `files` are sorted by path.
    public init(repo: HFRepoID, commit: String, files: [HFFileEntry], lastModified: String?, origin: String,
                info: [String: JSONValue]? = nil) {
        self.repo = repo
        self.commit = commit
        self.files = files.sorted { $0.path < $1.path }
        self.lastModified = lastModified
        self.origin = origin
        self.info = info
    }

    /// The entry for `path` (binary search: `files` is sorted).
    public func file(_ path: String) -> HFFileEntry? {
        var low = 0
        var high = files.count
        while low < high {
            let mid = (low + high) / 2
            if files[mid].path < path { low = mid + 1 } else { high = mid }
        }
        return low < files.count && files[low].path == path ? files[low] : nil
    }

    /// Total bytes of all files.
    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    /// Checks every path and object id (a manifest may come from an upstream this server does not control).
    func validate() throws(HFInputError) {
        var seen = Set<String>()
        for file in files {
            try HFPath.validate(file.path)
            guard seen.insert(file.path).inserted, file.size >= 0, HFGit.isObjectID(file.blobID) else {
                throw .invalidPath(file.path)
            }
            if let lfs = file.lfs, BlobDigest(parsing: lfs.sha256, allowBare: true) == nil {
                throw .invalidPath(file.path)
            }
        }
    }
}

/// One file of a commit.
public struct HFFileEntry: Sendable, Codable, Equatable {
    /// Path in the repository.
    public var path: String
    /// Size of the content in bytes.
    public var size: Int64
    /// The git object id: of the content for a small file, of the LFS pointer for an LFS file.
    public var blobID: String
    /// LFS details, for files stored in LFS.
    public var lfs: HFLFSInfo?
    /// The SHA-256 of the content when known (always for LFS files and imports; learned on the first fetch
    /// otherwise and then kept in a ref).
    public var digest: BlobDigest?

    /// Creates an entry.
    public init(path: String, size: Int64, blobID: String, lfs: HFLFSInfo?, digest: BlobDigest?) {
        self.path = path
        self.size = size
        self.blobID = blobID
        self.lfs = lfs
        self.digest = digest ?? lfs.flatMap { BlobDigest(parsing: $0.sha256, allowBare: true) }
    }

    /// The entry of a file with content digest `digest` and git blob id `contentBlobID`, stored in LFS when `lfs`.
    public static func make(path: String, size: Int64, digest: BlobDigest, contentBlobID: String, lfs: Bool) -> HFFileEntry {
        guard lfs else {
            return HFFileEntry(path: path, size: size, blobID: contentBlobID, lfs: nil, digest: digest)
        }
        let pointer = HFGit.lfsInfo(sha256: digest.hex, size: size)
        return HFFileEntry(path: path, size: size, blobID: pointer.pointerBlobID,
                           lfs: HFLFSInfo(sha256: digest.hex, size: size, pointerSize: pointer.pointerSize), digest: digest)
    }

    /// What the Hub sends as the file's ETag: the SHA-256 for LFS files, the git blob id otherwise.
    public var etag: String { lfs?.sha256 ?? blobID }
}

/// The LFS part of a file entry, as the Hub reports it.
public struct HFLFSInfo: Sendable, Codable, Equatable {
    /// SHA-256 of the content (hex).
    public var sha256: String
    /// Size of the content.
    public var size: Int64
    /// Size of the pointer file in git.
    public var pointerSize: Int

    /// Creates LFS details.
    public init(sha256: String, size: Int64, pointerSize: Int) {
        self.sha256 = sha256
        self.size = size
        self.pointerSize = pointerSize
    }
}

/// Which files the Hub keeps in LFS by default (its `.gitattributes` template), so an imported directory is served
/// with the same ETags the Hub would send.
public enum HFLFSRule {
    /// Suffixes (and names) the Hub's default `.gitattributes` tracks with LFS.
    static let suffixes: [String] = [
        ".7z", ".arrow", ".bin", ".bz2", ".ckpt", ".ftz", ".gz", ".h5", ".joblib", ".tflite", ".mlmodel", ".model",
        ".msgpack", ".npy", ".npz", ".onnx", ".ot", ".parquet", ".pb", ".pickle", ".pkl", ".pt", ".pth", ".rar",
        ".safetensors", ".tar", ".tgz", ".wasm", ".xz", ".zip", ".zst", ".gguf", ".ggml", ".mp3", ".wav", ".ogg",
        ".flac", ".png", ".jpg", ".jpeg", ".webp", ".mp4", ".lz4", ".tar.gz",
    ]

    /// Files larger than this go to LFS whatever their name (the Hub refuses larger plain git files).
    static let sizeLimit: Int64 = 10 << 20

    /// Whether a file at `path` of `size` bytes is stored in LFS.
    public static func isLFS(path: String, size: Int64) -> Bool {
        if size > sizeLimit { return true }
        let name = path.split(separator: "/").last.map { $0.lowercased() } ?? path.lowercased()
        return suffixes.contains { name.hasSuffix($0) } || name.hasSuffix("tfevents") || name.contains(".tfevents.")
    }
}
