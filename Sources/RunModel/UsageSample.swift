/// One point of a task's resource-use time series.
public struct UsageSample: Hashable, Sendable, Codable {
    /// Seconds since the task started, at the end of the interval this sample covers.
    public var t: Double
    /// Average cores used by the whole process tree over the interval.
    public var cores: Double
    /// Resident memory of the process tree in bytes (the largest value seen in the interval).
    public var memoryBytes: Int64

    /// Creates a sample.
    public init(t: Double, cores: Double, memoryBytes: Int64) {
        self.t = t
        self.cores = cores
        self.memoryBytes = memoryBytes
    }

    private enum CodingKeys: String, CodingKey {
        case t, cores, memoryBytes
    }
}
