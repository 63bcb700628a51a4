import RunModel

/// A task record waiting in a ``Spool`` for upload, with its artifact files.
public struct SpoolEntry: Sendable, Hashable {
    /// The entry's identifier; identifiers sort in enqueue order.
    public let id: String
    /// The entry's directory inside the spool.
    public let directory: String
    /// The spooled record.
    public let record: TaskRecord
    /// The spooled artifacts, each a copy inside ``directory``.
    public let artifacts: [SpoolArtifact]
}

/// One artifact file of a ``SpoolEntry``.
public struct SpoolArtifact: Sendable, Hashable, Codable {
    /// The artifact name given to ``Spool/enqueue(record:artifacts:)``.
    public let name: String
    /// Absolute path of the spooled copy.
    public let path: String
    /// Size of the copy in bytes.
    public let size: Int64

    /// Creates an artifact description.
    public init(name: String, path: String, size: Int64) {
        self.name = name
        self.path = path
        self.size = size
    }
}

/// The `manifest.json` of a spool entry: artifact names and their file names in the entry.
struct SpoolManifest: Codable {
    /// Layout version of the entry directory.
    var version = 1
    /// Artifacts in enqueue order.
    var artifacts: [Item]

    /// One artifact: its name and the file (relative to the entry directory) holding it.
    struct Item: Codable {
        var name: String
        var file: String
        var size: Int64
    }
}
