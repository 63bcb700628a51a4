/// A file a task produced, stored by content digest.
public struct ArtifactReference: Hashable, Sendable, Codable {
    /// The artifact's name within the task, e.g. `transcript` or `stdout`.
    public var name: String
    /// The content digest, `sha256:<64 lowercase hex digits>`.
    public var digest: String
    /// Size in bytes.
    public var size: Int64
    /// The media type, e.g. `text/plain` or `application/octet-stream`.
    public var mediaType: String

    /// Creates an artifact reference.
    public init(name: String, digest: String, size: Int64, mediaType: String) {
        self.name = name
        self.digest = digest
        self.size = size
        self.mediaType = mediaType
    }

    private enum CodingKeys: String, CodingKey {
        case name, digest, size, mediaType
    }
}
