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
    /// Queue every run-store change in the durable outbox (in the transaction that makes it), for a remote run
    /// tier to send on. Off, nothing is queued.
    public var runOutbox: Bool = false
    /// The LMDB map size in bytes; nil derives it from `maxSize`. Set only to exercise a full map (tests).
    public var mapSizeOverride: Int?

    /// Creates a configuration for `directory` holding at most `maxSize` bytes of content.
    public init(directory: String, maxSize: Int64) {
        self.directory = directory
        self.maxSize = maxSize
    }

    /// The LMDB map size for `maxSize` of content: chunks are stored in overflow pages (one page of overhead per
    /// chunk), freed pages are reused only once no reader needs them, and metadata needs room of its own. A write
    /// in progress evicts the blobs it claimed only when it is published (so a refused write evicts nothing): until
    /// then its bytes (at most `maxSize`) sit next to theirs, hence twice the content. The map only reserves
    /// address space; the file grows with what is stored.
    var mapSize: Int {
        if let mapSizeOverride { return mapSizeOverride }
        let bytes = Double(max(0, maxSize)) * 2.5 + Double(1 << 30)
        // Clamped: a huge --max-size must fail to open (LMDB's error), not trap converting to Int.
        return bytes >= Double(Int.max / 2) ? Int.max / 2 : Int(bytes)
    }
}
