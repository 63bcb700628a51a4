/// The answer to `POST /hf/_import`: what an import stored.
public struct HFImportResult: Sendable, Codable {
    /// `org/name` or `datasets/org/name`.
    public var repo: String
    /// The commit the files are served under.
    public var commit: String
    /// The branches pointed at it.
    public var branches: [String]
    /// Number of files.
    public var files: Int
    /// Total bytes.
    public var bytes: Int64

    /// Creates a result.
    public init(repo: String, commit: String, branches: [String], files: Int, bytes: Int64) {
        self.repo = repo
        self.commit = commit
        self.branches = branches
        self.files = files
        self.bytes = bytes
    }
}
