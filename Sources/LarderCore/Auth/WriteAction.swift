/// What a request wants to change, as the write authorisation sees it: each mutation of the server is one of
/// these, and a token's scopes say which it may do.
///
/// Reads are not actions: verified, content-addressed content is open to whoever reaches the port.
public enum WriteAction: Sendable, Hashable, CustomStringConvertible {
    /// Upload, delete, pin or unpin a blob (`/blobs`), or file blobs as a Hugging Face revision (`POST /hf/_import`).
    case blobs
    /// Store or delete records and artifacts of runs of `flow` (`PUT`/`DELETE /runs/<flow>/…`).
    case runs(flow: String)
    /// Start a warm job (`POST /warm`).
    case warm
    /// Maintenance (`/admin/*`).
    case admin
    /// A mutation of a route nobody classified: refused to every token, so a route added without a
    /// classification is closed rather than open. `route` names it for the message.
    case unclassified(route: String)

    public var description: String {
        switch self {
        case .blobs: "write blobs"
        case .runs(let flow): "write runs of flow \(flow)"
        case .warm: "start warm jobs"
        case .admin: "run maintenance"
        case .unclassified(let route): "change \(route)"
        }
    }
}
