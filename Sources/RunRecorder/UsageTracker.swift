import RunModel

/// Turns successive ``ProcessTreeSample``s into per-interval core usage, the bounded sample
/// series, the core percentiles, peak memory and peak CPU pressure of one task.
struct UsageTracker {
    /// The configured sampling interval in seconds.
    let interval: Double
    private var series: SampleSeries
    private var histogram = CoreUsageHistogram()
    private(set) var peakResidentBytes: Int64 = 0
    private(set) var maxPressureAvg10: Double?
    private var lastCPUSeconds = 0.0
    private var lastElapsed = 0.0

    init(interval: Double, maxSamples: Int) {
        self.interval = interval
        series = SampleSeries(maxSamples: maxSamples)
    }

    /// Adds the interval ending at `elapsed` seconds. The last, partial interval of a task is
    /// dropped from the series when it is shorter than half an interval (its few clock ticks
    /// would give a meaningless rate); its CPU still counts in the task's total.
    mutating func record(_ sample: ProcessTreeSample, elapsed: Double, isFinal: Bool) {
        peakResidentBytes = max(peakResidentBytes, sample.residentBytes)
        let duration = elapsed - lastElapsed
        guard duration > 0 else { return }
        if isFinal, histogram.count > 0, duration < interval / 2 { return }
        let cores = max(0, (sample.cpuSeconds - lastCPUSeconds) / duration)
        series.append(elapsed: elapsed, duration: duration, cores: cores, memoryBytes: sample.residentBytes)
        histogram.add(cores)
        lastCPUSeconds = sample.cpuSeconds
        lastElapsed = elapsed
    }

    /// Remembers the highest CPU pressure (`some avg10`) seen.
    mutating func notePressure(_ avg10: Double?) {
        guard let avg10 else { return }
        maxPressureAvg10 = max(maxPressureAvg10 ?? avg10, avg10)
    }

    /// The usage summary for a task that used `cpuSeconds` over `duration` seconds.
    /// - Parameter otherPeakBytes: another peak-memory measurement (the child's `ru_maxrss`, the
    ///   largest single process among the command and what it waited for) that can catch spikes
    ///   between samples; 0 when not usable.
    func usage(cpuSeconds: Double, duration: Double, otherPeakBytes: Int64, cgroupPeakBytes: Int64?) -> ResourceUsage {
        let samples = series.samples.map {
            UsageSample(t: Self.round($0.t, 1e6), cores: Self.round($0.cores, 1e3), memoryBytes: $0.memoryBytes)
        }
        let maxCores = Self.round(histogram.maximum, 1e3)
        return ResourceUsage(
            cpuSeconds: Self.round(cpuSeconds, 1e6),
            avgCores: duration > 0 ? Self.round(cpuSeconds / duration, 1e4) : 0,
            p95Cores: min(Self.round(histogram.percentile(0.95), 1e3), maxCores),
            maxCores: maxCores,
            peakMemoryBytes: max(peakResidentBytes, otherPeakBytes),
            cgroupMemoryPeakBytes: cgroupPeakBytes,
            samples: samples,
            sampleIntervalSeconds: interval * Double(series.intervalsPerSample)
        )
    }

    private static func round(_ value: Double, _ scale: Double) -> Double {
        (value * scale).rounded() / scale
    }
}
