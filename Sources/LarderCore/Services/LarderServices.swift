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
    /// Runs kept per flow (nil: all).
    public let keepRuns: Int?
    /// What `/readyz` checks: store open, writer alive, free disk (and the warm list with `--warm-ready`).
    public let readiness: Readiness
    /// Keeps the `--warm-file` list warm and pinned; nil without one. Its `run()` is started by the server.
    public let warmList: WarmListKeeper?

    /// Opens the store and prepares the upstream side.
    public init(configuration: LarderConfiguration) throws {
        var storeConfiguration = configuration.store
        storeConfiguration.logger = configuration.logger
        self.store = try BlobStore(storeConfiguration)
        self.upstream = UpstreamClient(configuration: configuration.upstream, logger: configuration.logger)
        self.metrics = LarderMetrics()
        self.keepRuns = configuration.keepRuns
        self.fills = FillCoordinator(store: store, upstream: upstream, allowlist: configuration.allowlist,
                                     metrics: metrics, logger: configuration.logger)
        self.hf = HFMirror(configuration: configuration.hf, upstreamConfiguration: configuration.upstream,
                           allowlist: configuration.allowlist, store: store, upstream: upstream, fills: fills,
                           metrics: metrics, logger: configuration.logger)
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
