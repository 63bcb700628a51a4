import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
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
    router.add(middleware: PeerHopMiddleware())
    router.add(middleware: WriteAuthorizationMiddleware(authorizer: services.authorizer,
                                                        classifier: WriteRouteClassifier(hfPrefix: services.hf.configuration.pathPrefix)))
    BlobRoutes(store: services.store, metrics: services.metrics, streams: streams).register(on: router)
    FetchRoutes(store: services.store, fills: services.fills, upstream: services.upstream, metrics: services.metrics, streams: streams).register(on: router)
    RunRoutes(store: services.store, catalog: services.runs, fills: services.fills, metrics: services.metrics, streams: streams,
              keepRuns: services.keepRuns).register(on: router)
    OpsRoutes(store: services.store, fills: services.fills, metrics: services.metrics, runTier: services.runs.tier,
              readiness: services.readiness, warmList: services.warmList).register(on: router)
    HFRoutes(mirror: services.hf, streams: streams, runs: services.runs).register(on: router)
    OCIRoutes(mirror: services.oci, store: services.store, metrics: services.metrics, streams: streams).register(on: router)
    TaskTokenRoutes(attribution: services.attribution).register(on: router)
    routes.record(router.routes.map { (path: $0.path, method: $0.method) })
    return router
}

/// The router behind the task prefix: `/t/<token>/X` is answered as `/X`, attributed to the token's task.
func buildResponder(_ services: LarderServices, maxStreams: Int) -> some HTTPResponder<LarderRequestContext> {
    TaskPrefixResponder(inner: buildRouter(services, maxStreams: maxStreams).buildResponder(), attribution: services.attribution,
                        namer: ServedObjectNamer(hfPrefix: services.hf.configuration.pathPrefix,
                                                 defaultRegistry: services.oci.configuration.defaultRegistry))
}

/// Builds the HTTP application for `configuration`; `onServerRunning` receives the bound port.
public func buildApplication(
    _ configuration: ServerConfiguration, services: LarderServices,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let clientTimeout = configuration.clientTimeout.map { TimeAmount.nanoseconds(Int64($0.seconds * 1e9)) }
    let connections = ConnectionLimit(limit: configuration.maxConnections)
    let handlers: @Sendable () -> [any RemovableChannelHandler] = {
        var handlers: [any RemovableChannelHandler] = [ConnectionLimitHandler(limit: connections), ExpectContinueHandler()]
        if let clientTimeout { handlers.append(StalledReaderHandler(timeout: clientTimeout)) }
        return handlers
    }
    // The idle timeout closes a client that sends nothing while its request is being received (a stalled upload
    // or header) or between requests; the stalled-reader handler closes one that reads nothing of a response.
    let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: handlers(), idleTimeout: clientTimeout)
    let server: HTTPServerBuilder
    if let tls = configuration.tls {
        let tlsConfiguration = tls.configuration
        server = HTTPServerBuilder { responder in
            try TLSChannel(HTTP1Channel(responder: responder, configuration: http1), tlsConfiguration: tlsConfiguration)
        }
    } else {
        server = .http1(configuration: http1)
    }
    var app = Application(
        responder: buildResponder(services, maxStreams: configuration.maxStreams),
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "larder"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: configuration.core.logger
    )
    app.addServices(AccessFlushService(store: services.store, interval: configuration.accessFlushInterval, logger: configuration.core.logger))
    if let tier = services.runs.tier {
        app.addServices(RunTierService(uploader: tier.uploader))
    }
    if let warmList = services.warmList { app.addServices(WarmListService(keeper: warmList)) }
    return app
}

/// Builds the application for `configuration` and runs it until a shutdown signal (SIGTERM, SIGINT) ends it.
///
/// On the signal the server stops accepting connections and lets requests in progress finish for at most
/// `configuration.shutdownTimeout`; then they are cancelled (their clients see the connection close, never a
/// response that looks complete but is not), and this returns so the caller can close the store.
public func runServer(
    _ configuration: ServerConfiguration, services: LarderServices,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    let app = buildApplication(configuration, services: services, onServerRunning: onServerRunning)
    var groupConfiguration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                       logger: configuration.core.logger)
    // Past the deadline the group cancels the server, which closes every connection. (No maximum cancellation
    // duration: ServiceLifecycle ends an overrun with fatalError, a crash instead of a clean exit.)
    groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
    try await ServiceGroup(configuration: groupConfiguration).run()
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

/// Sends the run store's outbox to the S3 run tier until shutdown (what is left stays in the durable outbox).
struct RunTierService: Service {
    let uploader: RunTierUploader

    func run() async throws {
        await cancelWhenGracefulShutdown { await uploader.run() }
    }
}
