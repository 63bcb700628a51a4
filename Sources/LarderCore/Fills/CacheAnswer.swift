import RunModel

/// How the node's cache answered a request: the `X-Larder-Cache` header, and what a task's fetch record says.
public enum CacheAnswer: String, Sendable {
    /// Served from the store.
    case hit
    /// Not stored: this request started the fill from upstream.
    case miss
    /// Not stored: this request joined a fill already running.
    case coalesced
    /// Not stored: this request started the fill, and the object's owner in the peer tier sent the bytes.
    case peer
    /// An image tag whose age passed its TTL, confirmed unchanged by the registry, then served from the store.
    case revalidated
    /// An expired image tag served from the store while the registry cannot be reached.
    case stale

    /// The outcome a task's fetch record gives this answer: the bytes of a revalidated or stale manifest came from the
    /// store, so those are hits.
    public var fetchOutcome: FetchOutcome {
        switch self {
        case .hit, .revalidated, .stale: return .hit
        case .miss: return .miss
        case .coalesced: return .coalesced
        case .peer: return .peer
        }
    }
}
