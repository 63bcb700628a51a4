/// CFS bandwidth throttling of the task's cgroup during the task (deltas of `cpu.stat`).
public struct CPUThrottling: Hashable, Sendable, Codable {
    /// Enforcement periods that elapsed (`nr_periods`).
    public var nrPeriods: Int64
    /// Periods in which the cgroup was throttled (`nr_throttled`).
    public var nrThrottled: Int64
    /// Total time throttled, in seconds (`throttled_usec` / 1e6).
    public var throttledSeconds: Double

    /// Creates a throttling summary.
    public init(nrPeriods: Int64, nrThrottled: Int64, throttledSeconds: Double) {
        self.nrPeriods = nrPeriods
        self.nrThrottled = nrThrottled
        self.throttledSeconds = throttledSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case nrPeriods, nrThrottled, throttledSeconds
    }
}
