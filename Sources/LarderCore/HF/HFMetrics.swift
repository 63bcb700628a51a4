import Prometheus

/// Metrics of the Hugging Face mirror, in the server's registry.
package final class HFMetrics: Sendable {
    /// Branch and tag resolutions by how they were answered.
    package struct Revisions: Sendable {
        /// Answered from a resolution younger than the TTL (or an import).
        let cached: Counter
        /// Asked upstream.
        let upstream: Counter
        /// Joined a look-up already in progress.
        let coalesced: Counter
        /// Answered from an expired resolution because the upstream was unavailable.
        let stale: Counter
    }

    package let revisions: Revisions
    /// Caller access checks of gated and private repositories: asked upstream, answered from memory, refused.
    package let access: (upstream: Counter, remembered: Counter, refused: Counter)
    /// Resolve requests by result (`hit`, `miss`, `coalesced`, `head`).
    package let files: (hit: Counter, miss: Counter, coalesced: Counter, head: Counter)

    package init(registry: PrometheusCollectorRegistry) {
        // larder_hf_revision_lookups_total{source=…}
        let lookups = MetricNameDescriptor(namespace: "larder", subsystem: "hf", metricName: "revision_lookups", unitName: "total",
                                           helpText: "Hugging Face branch/tag resolutions by source")
        revisions = Revisions(
            cached: registry.makeCounter(descriptor: lookups, labels: [("source", "cache")]),
            upstream: registry.makeCounter(descriptor: lookups, labels: [("source", "upstream")]),
            coalesced: registry.makeCounter(descriptor: lookups, labels: [("source", "coalesced")]),
            stale: registry.makeCounter(descriptor: lookups, labels: [("source", "stale")]))
        // larder_hf_access_checks_total{result=…}
        let checks = MetricNameDescriptor(namespace: "larder", subsystem: "hf", metricName: "access_checks", unitName: "total",
                                          helpText: "Caller access checks of gated and private Hugging Face repositories")
        access = (
            registry.makeCounter(descriptor: checks, labels: [("result", "upstream")]),
            registry.makeCounter(descriptor: checks, labels: [("result", "remembered")]),
            registry.makeCounter(descriptor: checks, labels: [("result", "refused")]))
        // larder_hf_file_requests_total{result=…}
        let requests = MetricNameDescriptor(namespace: "larder", subsystem: "hf", metricName: "file_requests", unitName: "total",
                                            helpText: "Hugging Face resolve requests by result")
        files = (
            registry.makeCounter(descriptor: requests, labels: [("result", "hit")]),
            registry.makeCounter(descriptor: requests, labels: [("result", "miss")]),
            registry.makeCounter(descriptor: requests, labels: [("result", "coalesced")]),
            registry.makeCounter(descriptor: requests, labels: [("result", "head")]))
    }
}
