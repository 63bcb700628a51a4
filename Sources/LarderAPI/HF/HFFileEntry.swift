import Foundation

/// One entry of a manifest's `files`: one file of a commit.
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

    /// What the Hub sends as the file's ETag: the SHA-256 for LFS files, the git blob id otherwise.
    public var etag: String { lfs?.sha256 ?? blobID }
}
