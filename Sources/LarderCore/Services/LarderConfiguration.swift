import LarderStore
import Logging
import RunArchive
import Upstream

/// What the domain services are configured with, whether a server or the CLI's `--data` mode runs them.
public struct LarderConfiguration: Sendable {
    /// The store's directory and size limit.
    public var store: StoreConfiguration
    /// Hosts `/fetch` may pull from; empty disables fetching.
    public var allowlist: UpstreamAllowlist = UpstreamAllowlist([])
    /// Timeouts, retries and block size for upstream transfers.
    public var upstream: UpstreamConfiguration = UpstreamConfiguration()
    /// The most upstream fills running at once; a miss past it is refused as ``LarderFailure/Kind/unavailable``
    /// (joining a fill that runs is always possible).
    public var maxFills: Int = 64
    /// Keep at most this many runs per flow in the run store (oldest removed first); nil keeps every run.
    public var keepRuns: Int?
    /// The Hugging Face mirror (`/hf`): upstream Hub, token, revision TTL.
    public var hf: HFConfiguration = HFConfiguration()
    /// The S3 run tier (`--runs-s3`); nil keeps runs on this node only.
    public var runTier: RunArchiveConfiguration?
    /// Who may write (`--token-file`, `--read-only`); reads stay open.
    public var writeAccess: WriteAccessConfiguration = WriteAccessConfiguration()
    /// The OCI registry mirror (`/v2/`): upstream registries, credentials, tag TTL.
    public var registries: RegistryConfiguration = RegistryConfiguration()
    /// `/readyz` fails while the data volume has less free space than this (`--min-free-disk`).
    public var minFreeDiskBytes: Int64 = 512 << 20
    /// The declarative warm list (`--warm-file`): references kept fetched and pinned; nil for none.
    public var warmFile: String?
    /// How often the warm list file is checked for changes.
    public var warmFilePollInterval: Duration = .seconds(5)
    /// `/readyz` fails until every reference of the warm list is warm (`--warm-ready`).
    public var readyWaitsForWarm = false
    /// The peer tier (`--peers`, `--peers-dns`, `--peers-file`); empty: no peers.
    public var peers: PeerConfiguration = PeerConfiguration()
    /// Where the services log.
    public var logger: Logger = Logger(label: "larder")

    /// Creates a configuration for a store in `dataDirectory` holding at most `maxSize` bytes.
    public init(dataDirectory: String, maxSize: Int64) {
        self.store = StoreConfiguration(directory: dataDirectory, maxSize: maxSize)
    }
}
