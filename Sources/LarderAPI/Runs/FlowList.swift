/// The body of `GET /runs`: every flow with its number of runs (`{"flows": [...]}`).
public struct FlowList: Codable, Sendable, Hashable {
    /// Every flow with its number of runs, by name.
    public var flows: [FlowSummary]

    /// Creates a listing.
    public init(flows: [FlowSummary]) {
        self.flows = flows
    }
}
