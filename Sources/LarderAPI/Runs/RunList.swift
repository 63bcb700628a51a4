/// The body of `GET /runs/<flow>`: the runs of one flow (`{"flow": ..., "runs": [...]}`).
public struct RunList: Codable, Sendable, Hashable {
    /// The flow.
    public var flow: String
    /// Its runs, oldest first.
    public var runs: [RunSummary]

    /// Creates a listing.
    public init(flow: String, runs: [RunSummary]) {
        self.flow = flow
        self.runs = runs
    }
}
