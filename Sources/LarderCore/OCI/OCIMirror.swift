import Foundation
import LarderAPI
import LarderStore
import Logging
import Synchronization
import Upstream

/// The OCI registry mirror (pull side of the Distribution Specification): selects the upstream registry for a
/// request, resolves manifests by tag (cached with a TTL, revalidated with a HEAD, served stale while the upstream is
/// down) and by digest, and serves blobs from the store or from a single-flight fill keyed by digest.
///
/// Manifests are stored as blobs with their media type; a tag is a ref `oci:tag:<registry>/<name>:<tag>` whose
/// `updated` time is when the upstream last confirmed it. The server's `/v2/` routes and `larder evict` use it.
public final class OCIMirror: Sendable {
    /// The registries, credentials file and tag TTL.
    public let configuration: RegistryConfiguration
    /// The blob store.
    public let store: BlobStore
    let registryClient: RegistryClient
    /// Layer fills: single-flight by digest; any http(s) redirect is followed (registries send blobs to CDNs and
    /// object stores; the content is verified against its digest, and credentials never cross origins).
    let fills: FillCoordinator
    let metrics: OCIMetrics
    let logger: Logger
    /// Upstream manifest look-ups in progress, by registry, name and reference: concurrent clients share one.
    let lookups = Mutex<[String: Task<BlobDigest, any Error>]>([:])
    /// Until when each registry is left alone after it could not be reached: expired tags are served stale meanwhile
    /// instead of every request waiting for another failure.
    let downUntil = Mutex<[String: ContinuousClock.Instant]>([:])
    /// How long a registry is left alone after it could not be reached.
    static let upstreamRetryInterval: Duration = .seconds(15)

    /// The media types asked for when fetching a manifest: OCI image index and manifest, Docker manifest list and
    /// schema 2 manifest.
    public static let manifestMediaTypes = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]

    /// Creates the mirror over the server's store: `upstreamConfiguration` is the upstream client's, `upstream` the
    /// client layer fills use, `peers` the peer tier layer fills ask first (nil: none).
    public init(configuration: RegistryConfiguration, upstreamConfiguration: UpstreamConfiguration, store: BlobStore,
                upstream: UpstreamClient, metrics: LarderMetrics, logger: Logger, peers: PeerTier? = nil) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        // Manifest and token requests decide whether containerd waits or falls back: one attempt, short timeouts.
        var apiConfiguration = upstreamConfiguration
        apiConfiguration.maxAttempts = 1
        apiConfiguration.connectTimeout = min(apiConfiguration.connectTimeout, .seconds(5))
        apiConfiguration.stallTimeout = min(apiConfiguration.stallTimeout, .seconds(30))
        self.registryClient = RegistryClient(client: UpstreamClient(configuration: apiConfiguration, logger: logger),
                                             credentials: RegistryCredentials(file: configuration.authFile), logger: logger)
        self.fills = FillCoordinator(store: store, upstream: upstream, allowlist: UpstreamAllowlist(["*"]), metrics: metrics, logger: logger,
                                     peers: peers)
        self.metrics = OCIMetrics(registry: metrics.registry)
    }

    /// The repository `name` on the registry `ns` names (or the default registry); `NAME_UNKNOWN` at once when that
    /// registry is not configured, so containerd falls back to its next host without waiting.
    public func target(ns: String?, name: OCIName) throws(LarderFailure) -> RegistryTarget {
        if let ns, !ns.isEmpty, !RegistryConfiguration.isValidHost(ns) {
            throw .oci(.invalidRequest, .nameInvalid, "ns=\(ns.prefix(100)) is not a registry host")
        }
        guard let (host, base) = configuration.registry(ns: ns) else {
            let configured = configuration.registries.keys.sorted().joined(separator: ", ")
            let asked = ns.flatMap { $0.isEmpty ? nil : $0 } ?? configuration.defaultRegistry
            let reason = asked.map { "registry \($0.prefix(100)) is not mirrored here" }
                ?? "no ns parameter and no --default-registry"
            throw .oci(.notFound, .nameUnknown, "\(reason) (configured: \(configured.isEmpty ? "none" : configured)); start larder serve with --registry HOST=URL")
        }
        return RegistryTarget(host: host, base: base, name: name)
    }

    /// The ref name of a tag mapping.
    public static func tagRef(host: String, name: String, tag: String) -> String {
        "oci:tag:\(host)/\(name):\(tag)"
    }

    /// Drops the cached mapping of `tag` (the next request asks the upstream); returns whether there was one.
    public func evictTag(host: String, name: OCIName, tag: String) async throws(LarderFailure) -> Bool {
        guard OCIReference.isValidTag(tag) else {
            throw .oci(.invalidRequest, .manifestInvalid, "\"\(tag.prefix(140))\" is not a tag")
        }
        do {
            return try await store.removeRef(Self.tagRef(host: host.lowercased(), name: name.value, tag: tag))
        } catch {
            throw Self.storeFailure(error)
        }
    }

    /// A store error as a failure.
    static func storeFailure(_ error: any Error) -> LarderFailure {
        if let failure = error as? LarderFailure { return failure }
        if let failure = LarderFailure.store(error) as? LarderFailure { return failure }
        return LarderFailure(.internalFailure, "store_error", "\(error)")
    }
}
