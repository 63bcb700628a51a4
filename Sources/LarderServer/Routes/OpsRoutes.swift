import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import LarderStore

/// Health, readiness, metrics, statistics and maintenance endpoints.
struct OpsRoutes<Context: ConnectionAwareContext>: Sendable {
    let store: BlobStore
    let fills: FillCoordinator
    let metrics: LarderMetrics
    let runTier: RunTier?
    let readiness: Readiness
    let warmList: WarmListKeeper?
    let startedAt = Date()

    func register(on router: Router<Context>) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/readyz") { _, _ in
            // 503 with a JSON body naming every failed check, so a probe's event and an operator's curl say why.
            let report = await readiness.check()
            guard report.isReady else {
                throw LarderFailure(.unavailable, "not_ready", report.problems.joined(separator: "; "))
            }
            let stats = store.statistics
            let free = report.freeBytes.map { ", \(ByteCount.format($0)) free on disk" } ?? ""
            let body = ByteBuffer(string: "ready: \(stats.blobCount) blobs, \(ByteCount.format(stats.storedBytes)) of \(ByteCount.format(stats.capacityBytes))\(free)\n")
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: body))
        }
        router.get("/metrics") { _, _ in
            if let status = runTier?.uploader.status() { metrics.runTier.update(status) }
            var text = metrics.render(store: store.statistics)
            if let warmList { text += Array(warmList.metricsText.utf8) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.get("/stats") { _, _ in
            try RouteSupport.json(ServerStats(store: store.statistics, fillsInFlight: fills.inFlight,
                                              uptimeSeconds: Date().timeIntervalSince(startedAt), runTier: runTier?.uploader.status(),
                                              warmList: warmList?.status, peers: fills.peers?.status()))
        }
        router.post("/admin/gc") { _, _ in
            try RouteSupport.json(try await store.gc())
        }
        router.post("/admin/verify") { _, _ in
            try RouteSupport.json(try await store.verify())
        }
    }
}

/// `GET /stats`.
public struct ServerStats: Codable, Sendable {
    /// The store's sizes and counters.
    public var store: StoreStatistics
    /// Upstream fills running now.
    public var fillsInFlight: Int
    /// Seconds since the server started.
    public var uptimeSeconds: Double
    /// The S3 run tier's outbox and uploads, when configured.
    public var runTier: RunTierStatus?
    /// The `--warm-file` list's progress; absent without one.
    public var warmList: WarmListStatus?
    /// The peer tier's members and the live ones; absent without peers.
    public var peers: PeerStatus?
}
