import Prometheus

/// The peer tier's metrics: bytes received from peers (beside `larder_upstream_bytes_total`), and per peer the
/// failures by reason and the time to a response head.
public final class PeerMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    /// Fills whose first bytes came from a peer.
    public let peerFills: Counter
    /// Requests answered for another node (marked with the hop header).
    public let hopsServed: Counter

    /// Creates the metrics in `registry`.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        peerFills = registry.makeCounter(descriptor: LarderMetrics.metric("larder_peer_fills_total", "Fills sourced from a peer (the object's owner)"))
        hopsServed = registry.makeCounter(descriptor: LarderMetrics.metric("larder_peer_requests_served_total", "Requests answered for another node (X-Larder-Peer-Hop)"))
    }

    /// Counts `count` body bytes received from `peer`.
    func received(_ count: Int, from peer: PeerAddress) {
        registry.makeCounter(descriptor: LarderMetrics.metric("larder_peer_bytes_total", "Body bytes received from peers"),
                             labels: [("peer", peer.description)]).increment(by: Int64(count))
    }

    /// Counts a failure of `peer` (`refused`, `status`, `timeout`, `broken`, `digest`).
    func failed(_ peer: PeerAddress, reason: String) {
        registry.makeCounter(descriptor: LarderMetrics.metric("larder_peer_errors_total", "Peer requests that failed, by peer and reason"),
                             labels: [("peer", peer.description), ("reason", reason)]).increment()
    }

    /// Records the time `peer` took to answer with a response head.
    func firstByte(_ duration: Duration, from peer: PeerAddress) {
        registry.makeDurationHistogram(
            descriptor: LarderMetrics.metric("larder_peer_first_byte_seconds", "Time from a peer request to its response head"),
            labels: [("peer", peer.description)],
            buckets: [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10)]
        ).record(duration)
    }
}
