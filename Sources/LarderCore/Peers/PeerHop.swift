/// The one-hop rule of the peer tier: a request a node sends to an owner carries ``headerName``; a node answering
/// such a request fills from its own upstream and never asks another peer, so no request travels in a loop.
public enum PeerHop {
    /// The request header that marks a peer request; its value is the asking node's address.
    public static let headerName = "X-Larder-Peer-Hop"

    /// The asking node's address while a route handles a request marked with ``headerName`` (set by the server's
    /// middleware for the whole request); nil for a request from an ordinary client.
    @TaskLocal public static var incoming: String?
}
