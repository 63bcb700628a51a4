/// Where the declarative warm list (`larder serve --warm-file`) stands: part of `GET /stats`.
public struct WarmListStatus: Sendable, Codable, Equatable {
    /// The file the list is read from.
    public var path: String
    /// `waiting` (no readable file yet), `warming`, `completed` (every reference warmed and pinned) or `failed`
    /// (at least one reference failed; retried later).
    public var state: String
    /// When the file was last (re)loaded, seconds since 1970; nil before the first load.
    public var loaded: Double?
    /// How many times the file was loaded because it changed.
    public var reloads: Int
    /// The references the file lists now, in file order.
    public var refs: [String]
    /// Blobs pinned because the list names them.
    public var pinnedBlobs: Int
    /// The last warm job for the list, with per-reference progress.
    public var job: WarmStatus?
    /// Why the file could not be read, when it could not.
    public var error: String?

    /// Creates a status.
    public init(path: String, state: String, loaded: Double? = nil, reloads: Int = 0, refs: [String] = [],
                pinnedBlobs: Int = 0, job: WarmStatus? = nil, error: String? = nil) {
        self.path = path
        self.state = state
        self.loaded = loaded
        self.reloads = reloads
        self.refs = refs
        self.pinnedBlobs = pinnedBlobs
        self.job = job
        self.error = error
    }
}
