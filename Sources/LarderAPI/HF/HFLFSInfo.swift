/// The `lfs` object of a file entry: the LFS part, as the Hub reports it.
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
