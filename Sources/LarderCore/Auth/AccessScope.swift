/// One scope of a write token: which ``WriteAction``s it allows. A token without scopes may do everything.
public enum AccessScope: Sendable, Hashable, CustomStringConvertible {
    /// `admin`: `/admin/*` maintenance.
    case admin
    /// `blobs`: uploads, deletes, pins and Hugging Face imports.
    case blobs
    /// `warm`: `POST /warm`.
    case warm
    /// `runs:FLOW`: records and artifacts of flow `FLOW` only; `runs` (or `runs:*`) every flow.
    case runs(flow: String?)

    /// Parses one scope word; nil when it is not one.
    public init?(parsing text: Substring) {
        switch text {
        case "admin": self = .admin
        case "blobs": self = .blobs
        case "warm": self = .warm
        case "runs", "runs:*": self = .runs(flow: nil)
        default:
            guard text.hasPrefix("runs:") else { return nil }
            let flow = text.dropFirst("runs:".count)
            guard !flow.isEmpty, !flow.contains(":") else { return nil }
            self = .runs(flow: String(flow))
        }
    }

    /// Whether this scope allows `action`.
    public func allows(_ action: WriteAction) -> Bool {
        switch (self, action) {
        case (.admin, .admin), (.blobs, .blobs), (.warm, .warm): true
        case (.runs(let scoped), .runs(let flow)): scoped == nil || scoped == flow
        default: false
        }
    }

    public var description: String {
        switch self {
        case .admin: "admin"
        case .blobs: "blobs"
        case .warm: "warm"
        case .runs(let flow): flow.map { "runs:\($0)" } ?? "runs"
        }
    }
}
