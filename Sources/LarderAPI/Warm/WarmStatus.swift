/// The body of `GET /warm/<id>` (and of `POST /warm`'s answer): where a warm job stands.
public struct WarmStatus: Sendable, Codable, Equatable {
    /// The job id.
    public var id: String
    /// `running`, `completed` (every reference warmed) or `failed` (at least one failed).
    public var state: String
    /// When the job was created and finished (seconds since 1970).
    public var created: Double
    /// When the job finished.
    public var finished: Double?
    /// One entry per reference, in request order.
    public var refs: [WarmRefStatus]

    /// Creates a status.
    public init(id: String, state: String, created: Double, finished: Double? = nil, refs: [WarmRefStatus]) {
        self.id = id
        self.state = state
        self.created = created
        self.finished = finished
        self.refs = refs
    }

    /// Whether the job has finished.
    public var isFinished: Bool { state != "running" }
}
