import Foundation
import Hummingbird
import LarderCore
import LarderStore
import Logging
import NIOCore
import ServiceLifecycle
import Upstream

/// Builds the router with every route group, streaming at most `maxStreams` blob bodies at once.
public func buildRouter(_ services: LarderServices, maxStreams: Int) -> Router<LarderRequestContext> {
    let router = Router(context: LarderRequestContext.self)
    let streams = BodyStreamGate(limit: maxStreams, metrics: services.metrics)
    let routes = RouteTable()
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: JSONErrorMiddleware(routes: routes))
    BlobRoutes(store: services.store, metrics: services.metrics, streams: streams).register(on: router)
    FetchRoutes(store: services.store, fills: services.fills, upstream: services.upstream, metrics: services.metrics, streams: streams).register(on: router)
    RunRoutes(store: services.store, metrics: services.metrics, streams: streams, keepRuns: services.keepRuns).register(on: router)
    OpsRoutes(store: services.store, fills: services.fills, metrics: services.metrics, readiness: services.readiness, warmList: services.warmList).register(on: router)
    HFRoutes(mirror: services.hf, streams: streams).register(on: router)
    routes.record(router.routes.map { (path: $0.path, method: $0.method) })
    return router
}

/// Builds the HTTP application for `configuration`; `onServerRunning` receives the bound port.
public func buildApplication(
    _ configuration: ServerConfiguration, services: LarderServices,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(services, maxStreams: configuration.maxStreams),
        server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "larder"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: configuration.core.logger
    )
    app.addServices(AccessFlushService(store: services.store, interval: configuration.accessFlushInterval, logger: configuration.core.logger))
    if let warmList = services.warmList { app.addServices(WarmListService(keeper: warmList)) }
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
