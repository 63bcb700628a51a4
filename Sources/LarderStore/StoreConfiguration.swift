import Logging

/// How a ``BlobStore`` is laid out and bounded.
public struct StoreConfiguration: Sendable {
    /// The data directory; the LMDB environment lives in its `lmdb/` folder.
    public var directory: String
    /// The most bytes of blob content the store keeps; least recently used unpinned blobs are evicted beyond it.
    public var maxSize: Int64
    /// Size of the chunks blobs are stored in (one LMDB value each).
    public var chunkSize: Int = 1 << 20
    /// How many chunks one writer may have queued for commit before it waits.
    public var maxChunksInFlight: Int = 8
    /// Take the data directory's lock: set for a server, cleared only by tests that open a store twice.
    public var exclusive: Bool = true
    /// Where the store logs.
    public var logger: Logger = Logger(label: "larder.store")
    /// The LMDB map size in bytes; nil derives it from `maxSize`. Set only to exercise a full map (tests).
    public var mapSizeOverride: Int?

    /// Creates a configuration for `directory` holding at most `maxSize` bytes of content.
    public init(directory: String, maxSize: Int64) {
        self.directory = directory
        self.maxSize = maxSize
    }

    /// The LMDB map size for `maxSize` of content: chunks are stored in overflow pages (one page of overhead per
    /// chunk), freed pages are reused only once no reader needs them, and metadata needs room of its own.
    var mapSize: Int {
        if let mapSizeOverride { return mapSizeOverride }
        let content = Double(maxSize)
        return Int(content * 1.25) + (1 << 30)
    }
}
