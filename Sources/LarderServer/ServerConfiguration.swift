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
    /// The most client connections open at once; a request on a connection past it gets 503 and the connection is
    /// closed.
    public var maxConnections: Int = 4096
    /// A connection that sends nothing for this long while a request is being received or between requests, or
    /// that reads nothing of a response for this long, is closed; nil never closes one.
    public var clientTimeout: Duration? = .seconds(60)
    /// On SIGTERM or SIGINT, how long requests in progress may go on before they are aborted and the store is
    /// closed.
    public var shutdownTimeout: Duration = .seconds(10)

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
