/// What a task really used, measured over its whole process tree.
public struct ResourceUsage: Hashable, Sendable, Codable {
    /// Total CPU time (user + system) of the command and all its descendants, in seconds.
    public var cpuSeconds: Double
    /// `cpuSeconds / durationSeconds`.
    public var avgCores: Double
    /// 95th percentile of the per-interval core usage.
    public var p95Cores: Double
    /// Highest per-interval core usage.
    public var maxCores: Double
    /// Highest resident memory of the process tree in bytes.
    public var peakMemoryBytes: Int64
    /// The container cgroup's own `memory.peak` at the end of the task, when readable. It covers
    /// everything in the cgroup over its lifetime (including page cache), so it is an upper bound.
    public var cgroupMemoryPeakBytes: Int64?
    /// The time series, downsampled so that it stays bounded for long tasks.
    public var samples: [UsageSample]
    /// Seconds between stored samples (grows by doubling when the series is downsampled).
    public var sampleIntervalSeconds: Double

    /// Creates a usage summary.
    public init(
        cpuSeconds: Double, avgCores: Double, p95Cores: Double, maxCores: Double,
        peakMemoryBytes: Int64, cgroupMemoryPeakBytes: Int64? = nil,
        samples: [UsageSample], sampleIntervalSeconds: Double
    ) {
        self.cpuSeconds = cpuSeconds
        self.avgCores = avgCores
        self.p95Cores = p95Cores
        self.maxCores = maxCores
        self.peakMemoryBytes = peakMemoryBytes
        self.cgroupMemoryPeakBytes = cgroupMemoryPeakBytes
        self.samples = samples
        self.sampleIntervalSeconds = sampleIntervalSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case cpuSeconds, avgCores, p95Cores, maxCores, peakMemoryBytes, cgroupMemoryPeakBytes
        case samples, sampleIntervalSeconds
    }
}
