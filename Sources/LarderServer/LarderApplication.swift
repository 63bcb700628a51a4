import Foundation
import Hummingbird
import LarderCore
import LarderStore
import Logging
import NIOCore
import ServiceLifecycle
import Upstream

/// The parts of a running Larder server, shared by the route groups.
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
    /// Admission control for blob response bodies.
    public let streams: BodyStreamGate
    /// Runs kept per flow (nil: all).
    public let keepRuns: Int?

    /// Opens the store and prepares the upstream side.
    public init(configuration: ServerConfiguration) throws {
        var storeConfiguration = configuration.store
        storeConfiguration.logger = configuration.logger
        self.store = try BlobStore(storeConfiguration)
        self.upstream = UpstreamClient(configuration: configuration.upstream, logger: configuration.logger)
        self.metrics = LarderMetrics()
        self.streams = BodyStreamGate(limit: configuration.maxStreams, metrics: metrics)
        self.keepRuns = configuration.keepRuns
        self.fills = FillCoordinator(store: store, upstream: upstream, allowlist: configuration.allowlist,
                                     metrics: metrics, logger: configuration.logger)
        self.hf = HFMirror(configuration: configuration.hf, upstreamConfiguration: configuration.upstream,
                           allowlist: configuration.allowlist, store: store, upstream: upstream, fills: fills,
                           metrics: metrics, logger: configuration.logger)
    }
}

/// Builds the router with every route group.
public func buildRouter(_ services: LarderServices) -> Router<LarderRequestContext> {
    let router = Router(context: LarderRequestContext.self)
    let routes = RouteTable()
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: JSONErrorMiddleware(routes: routes))
    BlobRoutes(store: services.store, metrics: services.metrics, streams: services.streams).register(on: router)
    FetchRoutes(store: services.store, fills: services.fills, upstream: services.upstream, metrics: services.metrics, streams: services.streams).register(on: router)
    RunRoutes(store: services.store, metrics: services.metrics, streams: services.streams, keepRuns: services.keepRuns).register(on: router)
    OpsRoutes(store: services.store, fills: services.fills, metrics: services.metrics).register(on: router)
    HFRoutes(mirror: services.hf, streams: services.streams).register(on: router)
    routes.record(router.routes.map { (path: $0.path, method: $0.method) })
    return router
}

/// Builds the HTTP application for `configuration`; `onServerRunning` receives the bound port.
public func buildApplication(
    _ configuration: ServerConfiguration, services: LarderServices,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(services),
        server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "larder"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: configuration.logger
    )
    app.addServices(AccessFlushService(store: services.store, interval: configuration.accessFlushInterval, logger: configuration.logger))
    return app
}

/// Builds the application for `configuration` and runs it until a shutdown signal (SIGTERM, SIGINT) ends it.
public func runServer(
    _ configuration: ServerConfiguration, services: LarderServices,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    try await buildApplication(configuration, services: services, onServerRunning: onServerRunning).runService()
}

/// Writes last-access times to disk periodically, and once more at shutdown.
struct AccessFlushService: Service {
    let store: BlobStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // A graceful shutdown (SIGTERM) ends the wait at once: the flush below is then the last one, and the
            // server exits without waiting out the interval.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            do {
                try await store.flushAccessTimes()
            } catch {
                logger.error("could not record access times", metadata: ["error": "\(error)"])
            }
        }
    }
}
