import Prometheus

/// Gauges of the S3 run tier, copied from ``RunTierStatus`` when `/metrics` is rendered.
public final class RunTierMetrics: Sendable {
    private let outboxDepth: Gauge
    private let outboxAge: Gauge
    private let recordsSent: Gauge
    private let blobsSent: Gauge
    private let failing: Gauge

    init(registry: PrometheusCollectorRegistry) {
        outboxDepth = registry.makeGauge(descriptor: LarderMetrics.metric("larder_run_outbox_entries", "Run-store changes waiting to be sent to the S3 run tier"))
        outboxAge = registry.makeGauge(descriptor: LarderMetrics.metric("larder_run_outbox_age_seconds", "Age of the oldest change waiting for the S3 run tier"))
        recordsSent = registry.makeGauge(descriptor: LarderMetrics.metric("larder_run_tier_records_sent", "Task records sent to the S3 run tier since start"))
        blobsSent = registry.makeGauge(descriptor: LarderMetrics.metric("larder_run_tier_blobs_sent", "Artifact blobs sent to the S3 run tier since start"))
        failing = registry.makeGauge(descriptor: LarderMetrics.metric("larder_run_tier_failing", "1 while sending to the S3 run tier fails"))
    }

    /// Copies `status` into the gauges.
    public func update(_ status: RunTierStatus) {
        outboxDepth.set(Double(status.outboxDepth))
        outboxAge.set(status.outboxAgeSeconds)
        recordsSent.set(Double(status.recordsSent))
        blobsSent.set(Double(status.blobsSent))
        failing.set(status.lastError == nil ? 0.0 : 1.0)
    }
}
