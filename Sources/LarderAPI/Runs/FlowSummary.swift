/// One flow as an entry of the `GET /runs` listing: its name and number of recorded runs.
public struct FlowSummary: Codable, Sendable, Hashable {
    /// The flow name.
    public var flow: String
    /// Number of runs recorded.
    public var runs: Int

    /// Creates a summary.
    public init(flow: String, runs: Int) {
        self.flow = flow
        self.runs = runs
    }
}
