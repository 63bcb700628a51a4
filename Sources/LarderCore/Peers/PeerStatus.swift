/// The peer tier as `GET /stats` shows it.
public struct PeerStatus: Codable, Sendable, Equatable {
    /// This node's address as a member, when known.
    public var selfAddress: String?
    /// Every member now, this node included.
    public var members: [String]
    /// The members not skipped after a recent failure (this node included).
    public var live: [String]
    /// Problems of the last membership refresh (unreadable file, unresolved name).
    public var problems: [String]

    enum CodingKeys: String, CodingKey {
        case selfAddress = "self", members, live, problems
    }
}
