import LarderStore
import Upstream

/// The domain services over one data directory: the store, the upstream side, fills and the Hugging Face mirror.
///
/// The server's routes and the CLI's `--data` mode share this one graph.
public struct LarderServices: Sendable {
    /// The blob store.
    public let store: BlobStore
    /// The upstream client.
    public let upstream: UpstreamClient
    /// Single-flight fills.
    public let fills: FillCoordinator
    /// Prometheus metrics.
    public let metrics: LarderMetrics
    /// The Hugging Face mirror (`/hf`, `/warm`).
    public let hf: HFMirror
    /// The OCI registry mirror (`/v2/`).
    public let oci: OCIMirror
    /// Runs kept per flow (nil: all).
    public let keepRuns: Int?
    /// The run store as clients see it: local, merged with the S3 run tier when configured.
    public let runs: RunCatalog
    /// Decides who may write (open unless a token file or read-only mode is configured).
    public let authorizer: WriteAuthorizer
    /// What `/readyz` checks: store open, writer alive, free disk (and the warm list with `--warm-ready`).
    public let readiness: Readiness
    /// Keeps the `--warm-file` list warm and pinned; nil without one. Its `run()` is started by the server.
    public let warmList: WarmListKeeper?
    /// Tasks registered for fetch attribution (`/t/<token>/…`) and what each was served.
    public let attribution = TaskAttribution()

    /// Opens the store and prepares the upstream side; throws ``TokenStore/LoadError`` first when the token file
    /// cannot be used.
    public init(configuration: LarderConfiguration) throws {
        self.authorizer = try WriteAuthorizer(configuration: configuration.writeAccess, logger: configuration.logger)
        var storeConfiguration = configuration.store
        storeConfiguration.logger = configuration.logger
        storeConfiguration.runOutbox = configuration.runTier != nil
        let store = try BlobStore(storeConfiguration)
        let upstream = UpstreamClient(configuration: configuration.upstream, logger: configuration.logger)
        self.store = store
        self.upstream = upstream
        self.runs = RunCatalog(store: store, tier: configuration.runTier.map {
            RunTier(configuration: $0, store: store, upstream: upstream, logger: configuration.logger)
        })
        self.metrics = LarderMetrics()
        self.keepRuns = configuration.keepRuns
        let peers = configuration.peers.isEnabled
            ? PeerTier(configuration: configuration.peers, upstream: configuration.upstream, metrics: metrics, logger: configuration.logger)
            : nil
        self.fills = FillCoordinator(store: store, upstream: upstream, allowlist: configuration.allowlist,
                                     metrics: metrics, logger: configuration.logger, maxFills: configuration.maxFills, peers: peers)
        self.oci = OCIMirror(configuration: configuration.registries, upstreamConfiguration: configuration.upstream, store: store,
                             upstream: upstream, metrics: metrics, logger: configuration.logger, peers: peers)
        self.hf = HFMirror(configuration: configuration.hf, upstreamConfiguration: configuration.upstream,
                           allowlist: configuration.allowlist, store: store, upstream: upstream, fills: fills,
                           metrics: metrics, logger: configuration.logger, oci: oci)
        let mirror = hf
        let warmList = configuration.warmFile.map { path in
            WarmListKeeper(path: path, mirror: mirror, stateFile: configuration.store.directory + "/warm-list-pins.json",
                           pollInterval: configuration.warmFilePollInterval, logger: configuration.logger)
        }
        self.warmList = warmList
        self.readiness = Readiness(store: store, directory: configuration.store.directory,
                                   minFreeBytes: configuration.minFreeDiskBytes,
                                   warmList: configuration.readyWaitsForWarm ? warmList : nil)
    }
}
