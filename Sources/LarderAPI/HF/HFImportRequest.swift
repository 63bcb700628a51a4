/// The body of `POST /hf/_import`: files already stored as blobs, to be served as one commit of a repository.
public struct HFImportRequest: Sendable, Codable {
    /// The repository type.
    public var repoType: HFRepoType
    /// `namespace/name`.
    public var repoID: String
    /// The 40-hex commit to file them under; generated from the content when nil (the same files give the same id).
    public var revision: String?
    /// Branches (or tags) pointed at the commit; `["main"]` when nil.
    public var branches: [String]?
    /// The files.
    public var files: [File]
    /// Pin the files' blobs (an air-gapped import cannot be fetched again).
    public var pin: Bool

    /// One entry of the request's `files`: one file of an import.
    public struct File: Sendable, Codable {
        /// Path in the repository.
        public var path: String
        /// The blob holding the content (already stored).
        public var digest: BlobDigest
        /// Its size (checked against the blob).
        public var size: Int64
        /// Store in LFS; decided by the Hub's default rules when nil.
        public var lfs: Bool?

        /// Creates a file entry.
        public init(path: String, digest: BlobDigest, size: Int64, lfs: Bool? = nil) {
            self.path = path
            self.digest = digest
            self.size = size
            self.lfs = lfs
        }
    }

    /// Creates a request.
    public init(repo: HFRepoID, revision: String?, branches: [String]?, files: [File], pin: Bool) {
        self.repoType = repo.type
        self.repoID = repo.name
        self.revision = revision
        self.branches = branches
        self.files = files
        self.pin = pin
    }
}
