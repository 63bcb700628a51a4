/// One entry of a warm status's `refs`: the progress of one reference of a warm job.
public struct WarmRefStatus: Sendable, Codable, Equatable {
    /// The reference as given.
    public var ref: String
    /// `queued`, `resolving`, `running`, `completed` or `failed`.
    public var state: String
    /// The commit an `hf://` reference resolved to.
    public var commit: String?
    /// Files to warm (1 for a URL).
    public var files: Int
    /// Files done.
    public var filesDone: Int
    /// Bytes to warm, when known.
    public var bytes: Int64
    /// Bytes stored so far.
    public var bytesDone: Int64
    /// Files that were already cached.
    public var hits: Int
    /// Files fetched from the upstream.
    public var fetched: Int
    /// Seconds spent on this reference.
    public var seconds: Double
    /// Why it failed.
    public var error: String?

    /// A queued reference.
    public init(ref: String) {
        self.ref = ref
        self.state = "queued"
        self.files = 0
        self.filesDone = 0
        self.bytes = 0
        self.bytesDone = 0
        self.hits = 0
        self.fetched = 0
        self.seconds = 0
    }

    /// `hit` when every file was cached, `fetched` when every file was fetched, else `3 hit, 2 fetched`.
    public var cacheSummary: String {
        if state == "failed" { return "failed" }
        if fetched == 0 { return "hit" }
        if hits == 0 { return "fetched" }
        return "\(hits) hit, \(fetched) fetched"
    }
}
