/// How a node finds its peers and how patiently it asks them (`larder serve --peers…`).
public struct PeerConfiguration: Sendable {
    /// Members given once (`--peers HOST:PORT,…`).
    public var staticPeers: [PeerAddress] = []
    /// A DNS name whose A/AAAA records are the members (`--peers-dns`, the chart's headless Service), re-resolved
    /// every ``refreshInterval``.
    public var dnsName: String?
    /// A file listing members (`HOST:PORT` separated by commas, spaces or lines; `#` comments), re-read every
    /// ``refreshInterval`` (`--peers-file`, e.g. a mounted ConfigMap).
    public var file: String?
    /// This node's own address as the other members know it (`--self`); nil: the listen address once bound.
    public var selfAddress: PeerAddress?
    /// The port of members named without one (DNS records, bare hosts): this node's listen port unless set.
    public var defaultPort: Int?
    /// How often DNS is re-resolved and the file re-read.
    public var refreshInterval: Duration = .seconds(5)
    /// An owner that has not answered with a response head within this time is skipped.
    public var firstByteTimeout: Duration = .seconds(5)
    /// A peer transfer that moves less than a byte a second for this long is abandoned for the next source.
    public var stallTimeout: Duration = .seconds(10)
    /// How long a peer that failed (refused, timed out, died, sent wrong bytes) is skipped.
    public var cooldown: Duration = .seconds(15)
    /// The most owners asked, in rendezvous order, before the upstream itself.
    public var maxOwnersTried: Int = 2

    /// Creates an empty configuration (no peers).
    public init() {}

    /// Whether any membership source is configured.
    public var isEnabled: Bool { !staticPeers.isEmpty || dnsName != nil || file != nil }
}
