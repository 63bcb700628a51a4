/// Per-interval core usage values, kept as counts per 0.01-core bucket so that percentiles of a
/// long task are exact to 0.01 cores in bounded memory.
public struct CoreUsageHistogram: Sendable {
    private var counts: [Int: Int] = [:]
    /// Number of values added.
    public private(set) var count = 0
    /// Largest value added (not rounded).
    public private(set) var maximum = 0.0

    /// Creates an empty histogram.
    public init() {}

    /// Adds one interval's average core usage.
    public mutating func add(_ cores: Double) {
        guard cores.isFinite else { return }
        let value = max(0, cores)
        counts[Int((value * 100).rounded()), default: 0] += 1
        count += 1
        maximum = max(maximum, value)
    }

    /// The smallest bucket value at or below which `fraction` (0…1) of the values lie, never
    /// above ``maximum``; 0 when empty.
    public func percentile(_ fraction: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for bucket in counts.keys.sorted() {
            seen += counts[bucket] ?? 0
            if seen >= rank { return min(Double(bucket) / 100, maximum) }
        }
        return maximum
    }
}
