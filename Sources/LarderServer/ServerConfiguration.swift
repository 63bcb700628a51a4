import Foundation
import LarderCore
import LarderStore
import Logging
import Upstream

/// Everything `larder serve` is configured with.
public struct ServerConfiguration: Sendable {
    /// Address to listen on; loopback by default, `0.0.0.0` on a cluster node.
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 picks a free one (tests).
    public var port: Int = 7480
    /// The store's directory and size limit.
    public var store: StoreConfiguration
    /// Hosts `/fetch` may pull from; empty disables fetching.
    public var allowlist: UpstreamAllowlist = UpstreamAllowlist([])
    /// Timeouts, retries and block size for upstream transfers.
    public var upstream: UpstreamConfiguration = UpstreamConfiguration()
    /// Keep at most this many runs per flow in the run store (oldest removed first); nil keeps every run.
    public var keepRuns: Int?
    /// The Hugging Face mirror (`/hf`): upstream Hub, token, revision TTL.
    public var hf: HFConfiguration = HFConfiguration()
    /// The most blob response bodies streamed at once; past it a read gets `503` with `Retry-After`.
    public var maxStreams: Int = 256
    /// How often last-access times are written to disk.
    public var accessFlushInterval: Duration = .seconds(5)
    /// Where the server logs.
    public var logger: Logger = Logger(label: "larder")

    /// Creates a configuration for a store in `dataDirectory` holding at most `maxSize` bytes.
    public init(dataDirectory: String, maxSize: Int64) {
        self.store = StoreConfiguration(directory: dataDirectory, maxSize: maxSize)
    }
}
