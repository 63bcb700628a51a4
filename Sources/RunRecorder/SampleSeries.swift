import RunModel

/// A bounded time series of usage samples.
///
/// Samples are appended one measurement interval at a time. When the stored count reaches
/// ``maxSamples`` (rounded down to an even number), neighbouring pairs are merged and from then
/// on each stored sample covers twice as many intervals, so a 10-hour task at 1 s stays within
/// the bound with evenly spaced points. A merged sample keeps the time-weighted average of
/// `cores` (so total CPU is preserved) and the maximum of `memoryBytes` (so peaks survive).
public struct SampleSeries: Sendable {
    /// The largest number of stored samples (at least 2).
    public let maxSamples: Int
    /// How many appended intervals each stored sample covers (1, 2, 4, …).
    public private(set) var intervalsPerSample = 1

    private var stored: [UsageSample] = []
    private var storedDurations: [Double] = []
    private var pending = PendingSample()

    /// Creates an empty series holding at most `maxSamples` samples.
    public init(maxSamples: Int) {
        self.maxSamples = max(2, maxSamples)
    }

    /// Appends one interval ending `elapsed` seconds after the start and lasting `duration` seconds.
    public mutating func append(elapsed: Double, duration: Double, cores: Double, memoryBytes: Int64) {
        pending.add(elapsed: elapsed, duration: duration, cores: cores, memoryBytes: memoryBytes)
        guard pending.count >= intervalsPerSample else { return }
        flushPending()
        // Merging an even count pairs every sample, which keeps the spacing uniform.
        if stored.count >= maxSamples - maxSamples % 2 { mergePairs() }
    }

    /// All samples, including a final partially filled one.
    public var samples: [UsageSample] {
        var copy = self
        if copy.pending.count > 0 { copy.flushPending() }
        if copy.stored.count > maxSamples { copy.mergePairs() }
        return copy.stored
    }

    private mutating func flushPending() {
        stored.append(pending.sample)
        storedDurations.append(pending.duration)
        pending = PendingSample()
    }

    private mutating func mergePairs() {
        var merged: [UsageSample] = []
        var mergedDurations: [Double] = []
        merged.reserveCapacity(stored.count / 2 + 1)
        var index = 0
        while index < stored.count {
            if index + 1 < stored.count {
                let (a, b) = (stored[index], stored[index + 1])
                let (da, db) = (storedDurations[index], storedDurations[index + 1])
                let total = da + db
                let cores = total > 0 ? (a.cores * da + b.cores * db) / total : max(a.cores, b.cores)
                merged.append(UsageSample(t: b.t, cores: cores, memoryBytes: max(a.memoryBytes, b.memoryBytes)))
                mergedDurations.append(total)
            } else {
                merged.append(stored[index])
                mergedDurations.append(storedDurations[index])
            }
            index += 2
        }
        stored = merged
        storedDurations = mergedDurations
        intervalsPerSample *= 2
    }
}

/// Accumulates appended intervals until they fill one stored sample.
private struct PendingSample {
    var count = 0
    var duration = 0.0
    var coreSeconds = 0.0
    var maxCores = 0.0
    var memoryBytes: Int64 = 0
    var elapsed = 0.0

    mutating func add(elapsed: Double, duration: Double, cores: Double, memoryBytes: Int64) {
        count += 1
        self.duration += duration
        coreSeconds += cores * duration
        maxCores = max(maxCores, cores)
        self.memoryBytes = max(self.memoryBytes, memoryBytes)
        self.elapsed = elapsed
    }

    var sample: UsageSample {
        UsageSample(t: elapsed, cores: duration > 0 ? coreSeconds / duration : maxCores, memoryBytes: memoryBytes)
    }
}
