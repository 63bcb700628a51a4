import LarderCore
import LarderStore
import Logging
import Upstream

/// Everything `larder serve` is configured with: the domain's ``LarderConfiguration`` plus where and how the HTTP
/// server listens.
public struct ServerConfiguration: Sendable {
    /// Address to listen on; loopback by default, `0.0.0.0` on a cluster node.
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 picks a free one (tests).
    public var port: Int = 7480
    /// The store, upstream and Hugging Face settings the services are built from.
    public var core: LarderConfiguration
    /// The most blob response bodies streamed at once; past it a read gets `503` with `Retry-After`.
    public var maxStreams: Int = 256
    /// Serve HTTPS with this certificate and key (`--tls-cert/--tls-key`, reloaded on change); nil: plain HTTP.
    public var tls: TLSCertificateReloader?
    /// How often last-access times are written to disk.
    public var accessFlushInterval: Duration = .seconds(5)

    /// Creates a configuration for a store in `dataDirectory` holding at most `maxSize` bytes.
    public init(dataDirectory: String, maxSize: Int64) {
        self.core = LarderConfiguration(dataDirectory: dataDirectory, maxSize: maxSize)
    }
}

extension LarderServices {
    /// Opens the store and prepares the upstream side for a server configured with `configuration`.
    public init(configuration: ServerConfiguration) throws {
        try self.init(configuration: configuration.core)
    }
}
