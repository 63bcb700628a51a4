import ArgumentParser
import LarderCore

/// `larder serve` options of the peer tier: who the other nodes are and how patiently to ask them.
struct PeerOptions: ParsableArguments {
    @Option(name: .customLong("peers"), parsing: .singleValue,
            help: "Other Larders of the cluster, HOST:PORT (repeatable or comma-separated): a miss asks the object's owner first.")
    var peers: [String] = []

    @Option(name: .customLong("peers-dns"),
            help: "A DNS name whose A/AAAA records are the Larders of the cluster (the chart's headless Service), re-resolved every --peers-refresh seconds; port: --peers-port or the listen port.")
    var peersDNS: String?

    @Option(name: .customLong("peers-file"),
            help: "A file listing the Larders of the cluster (HOST:PORT, separated by commas, spaces or lines), re-read every --peers-refresh seconds.")
    var peersFile: String?

    @Option(name: .customLong("peers-port"), help: "Port of peers named without one (DNS records); default: the listen port.")
    var peersPort: Int?

    @Option(name: .customLong("self"), help: "This node's address as its peers know it, HOST:PORT (the chart passes the pod IP); default: the listen address.")
    var selfAddress: String?

    @Option(name: .customLong("peers-refresh"), help: "Seconds between re-resolutions of --peers-dns and re-reads of --peers-file.")
    var refresh: Double = 5

    @Option(name: .customLong("peer-first-byte-timeout"), help: "Seconds an owner may take to answer before the next owner (or the upstream) is asked.")
    var firstByteTimeout: Double = 5

    @Option(name: .customLong("peer-stall-timeout"), help: "Seconds a peer transfer may stall before the fill continues from the next source.")
    var stallTimeout: Double = 10

    @Option(name: .customLong("peer-cooldown"), help: "Seconds a peer that failed is skipped.")
    var cooldown: Double = 15

    func validate() throws {
        for entry in peers.flatMap({ $0.split(separator: ",") }) where PeerAddress(parsing: String(entry)) == nil {
            throw ValidationError("--peers \(entry) is not HOST:PORT (e.g. 10.0.0.7:7480)")
        }
        if let selfAddress, PeerAddress(parsing: selfAddress) == nil {
            throw ValidationError("--self \(selfAddress) is not HOST:PORT (e.g. 10.0.0.7:7480)")
        }
        if let peersPort, !(1...65535).contains(peersPort) {
            throw ValidationError("--peers-port must be between 1 and 65535")
        }
        for (name, value) in [("--peers-refresh", refresh), ("--peer-first-byte-timeout", firstByteTimeout),
                              ("--peer-stall-timeout", stallTimeout), ("--peer-cooldown", cooldown)]
        where !(value > 0 && value <= 3600) {
            throw ValidationError("\(name) must be between 0 and 3600 seconds")
        }
    }

    /// Sets the peer tier of `configuration`; `listenPort` is the default port of peers named without one.
    func apply(to configuration: inout LarderConfiguration, listenPort: Int) {
        var peerConfiguration = PeerConfiguration()
        peerConfiguration.staticPeers = peers.flatMap { $0.split(separator: ",") }.compactMap { PeerAddress(parsing: String($0)) }
        peerConfiguration.dnsName = peersDNS
        peerConfiguration.file = peersFile
        peerConfiguration.selfAddress = selfAddress.flatMap { PeerAddress(parsing: $0) }
        peerConfiguration.defaultPort = peersPort ?? (listenPort > 0 ? listenPort : nil)
        peerConfiguration.refreshInterval = Self.duration(refresh)
        peerConfiguration.firstByteTimeout = Self.duration(firstByteTimeout)
        peerConfiguration.stallTimeout = Self.duration(stallTimeout)
        peerConfiguration.cooldown = Self.duration(cooldown)
        configuration.peers = peerConfiguration
    }

    private static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64(seconds * 1000))
    }
}
