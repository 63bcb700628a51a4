/// The cgroup v2 `cpu.stat` counters, cumulative since the cgroup was created.
public struct CgroupCPUStat: Sendable, Equatable {
    /// CPU used by all processes of the cgroup, in microseconds (`usage_usec`).
    public var usageMicroseconds: Int64
    /// Enforcement periods elapsed (`nr_periods`); nil when the cpu controller is not enabled.
    public var nrPeriods: Int64?
    /// Periods in which the cgroup was throttled (`nr_throttled`); nil when not reported.
    public var nrThrottled: Int64?
    /// Time throttled in microseconds (`throttled_usec`); nil when not reported.
    public var throttledMicroseconds: Int64?

    /// Creates a value from its parts.
    public init(usageMicroseconds: Int64, nrPeriods: Int64? = nil, nrThrottled: Int64? = nil, throttledMicroseconds: Int64? = nil) {
        self.usageMicroseconds = usageMicroseconds
        self.nrPeriods = nrPeriods
        self.nrThrottled = nrThrottled
        self.throttledMicroseconds = throttledMicroseconds
    }

    /// Parses `cpu.stat` text (`key value` lines); nil without a `usage_usec` line.
    public init?(parsing text: String) {
        var values: [Substring: Int64] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, let value = Int64(words[1]) { values[words[0]] = value }
        }
        guard let usage = values["usage_usec"] else { return nil }
        self.init(
            usageMicroseconds: usage, nrPeriods: values["nr_periods"],
            nrThrottled: values["nr_throttled"], throttledMicroseconds: values["throttled_usec"])
    }
}
