import Prometheus

/// Metrics of the OCI registry mirror, per upstream registry, in the server's registry:
/// `larder_oci_requests_total{registry,kind,result}`, `larder_oci_upstream_bytes_total{registry}` and
/// `larder_oci_fill_duration_seconds{registry}`.
package final class OCIMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry

    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Counts one manifest or blob request answered with `result` (`hit`, `miss`, `coalesced`, `revalidated`,
    /// `stale`, `head`).
    package func request(_ host: String, kind: String, result: String) {
        // The registry returns the same counter for the same name and labels.
        registry.makeCounter(descriptor: Self.requests, labels: [("registry", host), ("kind", kind), ("result", result)]).increment()
    }

    /// Adds bytes received from `host`'s upstream.
    package func upstreamBytes(_ host: String, _ count: Int64) {
        registry.makeCounter(descriptor: Self.upstreamBytes, labels: [("registry", host)]).increment(by: count)
    }

    /// Records the time one fill from `host` took, from start to published blob.
    package func fillDuration(_ host: String, _ duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.fillSeconds, labels: [("registry", host)], buckets: Self.buckets).record(duration)
    }

    private static var requests: MetricNameDescriptor { MetricNameDescriptor(namespace: "larder", subsystem: "oci", metricName: "requests", unitName: "total",
                                                       helpText: "OCI mirror manifest and blob requests by registry, kind and result") }
    private static var upstreamBytes: MetricNameDescriptor { MetricNameDescriptor(namespace: "larder", subsystem: "oci", metricName: "upstream_bytes", unitName: "total",
                                                            helpText: "Bytes received from upstream registries") }
    private static var fillSeconds: MetricNameDescriptor { MetricNameDescriptor(namespace: "larder", subsystem: "oci", metricName: "fill_duration", unitName: "seconds",
                                                          helpText: "Time from the first upstream request to the published layer") }
    private static let buckets: [Duration] = [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(1200)]
}
