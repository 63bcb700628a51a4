import LarderStore
import Prometheus

/// The server's Prometheus metrics, kept in one registry that `/metrics` renders.
public final class LarderMetrics: Sendable {
    /// The registry everything below lives in.
    public let registry = PrometheusCollectorRegistry()
    /// Cache lookups answered from the store.
    public let hits: Counter
    /// Cache lookups that started a fill.
    public let misses: Counter
    /// Cache lookups that joined a running fill.
    public let coalesced: Counter
    /// Body bytes sent to clients.
    public let bytesServed: Counter
    /// Body bytes received from upstreams.
    public let bytesFetched: Counter
    /// Upstream fills that failed.
    public let fillsFailed: Counter
    /// Time from the first upstream request to the published blob.
    public let fillDuration: DurationHistogram
    /// Upstream fills running now.
    public let fillsInFlight: Gauge
    /// Blob response bodies being sent now.
    public let streamsActive: Gauge
    /// Blob reads refused at the stream limit.
    public let streamsRefused: Counter
    /// The S3 run tier's outbox and uploads.
    public let runTier: RunTierMetrics
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
        hits = registry.makeCounter(descriptor: Self.metric(name, help), labels: [("result", "hit")])
        misses = registry.makeCounter(descriptor: Self.metric(name, help), labels: [("result", "miss")])
        coalesced = registry.makeCounter(descriptor: Self.metric(name, help), labels: [("result", "coalesced")])
        bytesServed = registry.makeCounter(descriptor: Self.metric("larder_served_bytes_total", "Body bytes sent to clients"))
        bytesFetched = registry.makeCounter(descriptor: Self.metric("larder_upstream_bytes_total", "Body bytes received from upstreams"))
        fillsFailed = registry.makeCounter(descriptor: Self.metric("larder_fills_failed_total", "Upstream fills that failed"))
        fillDuration = registry.makeDurationHistogram(
            descriptor: Self.metric("larder_fill_duration_seconds", "Time from the first upstream request to the published blob"),
            buckets: [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(1200)])
        fillsInFlight = registry.makeGauge(descriptor: Self.metric("larder_fills_in_flight", "Upstream fills running now"))
        streamsActive = registry.makeGauge(descriptor: Self.metric("larder_body_streams", "Blob response bodies being sent now"))
        streamsRefused = registry.makeCounter(descriptor: Self.metric("larder_body_streams_refused_total", "Blob reads refused with 503 at the --max-streams limit"))
        storedBytes = registry.makeGauge(descriptor: Self.metric("larder_store_bytes", "Bytes of blobs stored"))
        capacityBytes = registry.makeGauge(descriptor: Self.metric("larder_store_capacity_bytes", "Configured maximum bytes of blobs"))
        blobCount = registry.makeGauge(descriptor: Self.metric("larder_store_blobs", "Number of blobs stored"))
        pinnedBytes = registry.makeGauge(descriptor: Self.metric("larder_store_pinned_bytes", "Bytes of pinned blobs"))
        evictions = registry.makeGauge(descriptor: Self.metric("larder_store_evictions", "Blobs evicted since the server started"))
        evictedBytes = registry.makeGauge(descriptor: Self.metric("larder_store_evicted_bytes", "Bytes evicted since the server started"))
        runTier = RunTierMetrics(registry: registry)
    }

    /// The descriptor of a metric named in full (`larder_…`).
    static func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
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
