import LarderStore
import Prometheus

/// The server's Prometheus metrics, kept in one registry that `/metrics` renders.
public final class LarderMetrics: Sendable {
    /// The registry everything below lives in.
    public let registry = PrometheusCollectorRegistry()
    let hits: Counter
    let misses: Counter
    let coalesced: Counter
    let bytesServed: Counter
    let bytesFetched: Counter
    let fillsFailed: Counter
    let fillDuration: DurationHistogram
    let fillsInFlight: Gauge
    let streamsActive: Gauge
    let streamsRefused: Counter
    private let storedBytes: Gauge
    private let capacityBytes: Gauge
    private let blobCount: Gauge
    private let pinnedBytes: Gauge
    private let evictions: Gauge
    private let evictedBytes: Gauge

    /// Creates the metrics in a fresh registry.
    public init() {
        let name = "larder_cache_requests_total"
        let help = "Cache lookups by result"
        hits = registry.makeCounter(name: name, labels: [("result", "hit")], help: help)
        misses = registry.makeCounter(name: name, labels: [("result", "miss")], help: help)
        coalesced = registry.makeCounter(name: name, labels: [("result", "coalesced")], help: help)
        bytesServed = registry.makeCounter(name: "larder_served_bytes_total", help: "Body bytes sent to clients")
        bytesFetched = registry.makeCounter(name: "larder_upstream_bytes_total", help: "Body bytes received from upstreams")
        fillsFailed = registry.makeCounter(name: "larder_fills_failed_total", help: "Upstream fills that failed")
        fillDuration = registry.makeDurationHistogram(
            name: "larder_fill_duration_seconds",
            buckets: [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(1200)],
            help: "Time from the first upstream request to the published blob")
        fillsInFlight = registry.makeGauge(name: "larder_fills_in_flight", help: "Upstream fills running now")
        streamsActive = registry.makeGauge(name: "larder_body_streams", help: "Blob response bodies being sent now")
        streamsRefused = registry.makeCounter(name: "larder_body_streams_refused_total", help: "Blob reads refused with 503 at the --max-streams limit")
        storedBytes = registry.makeGauge(name: "larder_store_bytes", help: "Bytes of blobs stored")
        capacityBytes = registry.makeGauge(name: "larder_store_capacity_bytes", help: "Configured maximum bytes of blobs")
        blobCount = registry.makeGauge(name: "larder_store_blobs", help: "Number of blobs stored")
        pinnedBytes = registry.makeGauge(name: "larder_store_pinned_bytes", help: "Bytes of pinned blobs")
        evictions = registry.makeGauge(name: "larder_store_evictions", help: "Blobs evicted since the server started")
        evictedBytes = registry.makeGauge(name: "larder_store_evicted_bytes", help: "Bytes evicted since the server started")
    }

    /// Copies the store's sizes into the gauges and renders the registry as Prometheus text.
    public func render(store: StoreStatistics) -> [UInt8] {
        storedBytes.set(Double(store.storedBytes))
        capacityBytes.set(Double(store.capacityBytes))
        blobCount.set(Double(store.blobCount))
        pinnedBytes.set(Double(store.pinnedBytes))
        evictions.set(Double(store.evictions))
        evictedBytes.set(Double(store.evictedBytes))
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
