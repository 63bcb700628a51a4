/// How the node's cache answered one request a task made.
public enum FetchOutcome: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Served from the node's store; nothing crossed the network.
    case hit
    /// Not stored: this request started the fill from upstream.
    case miss
    /// Not stored, but another request's fill was already running; this one streamed from it.
    case coalesced
    /// Filled from another node's Larder (the object's owner in the peer tier), not from upstream.
    case peer

    /// Outcomes in a fixed reporting order.
    public static func < (lhs: FetchOutcome, rhs: FetchOutcome) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
