import Foundation

/// What one commit of a repository holds: every file with what the Hub reports about it. On the wire it is what
/// clients read and the server stores as a small pinned JSON blob per commit; commits are immutable, so a manifest never changes once stored.
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
}
