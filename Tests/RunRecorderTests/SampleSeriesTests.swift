import RunModel
@testable import RunRecorder
import Testing

@Suite struct SampleSeriesTests {
    @Test func downsamplingKeepsCountBoundedAndPreservesPeaksAndTotals() {
        var series = SampleSeries(maxSamples: 100)
        var coreSeconds = 0.0
        for index in 1...36_000 {
            let cores = index == 20_001 ? 13.0 : Double(index % 4)
            let memory: Int64 = index == 5_555 ? 12 << 30 : Int64(index % 7) << 20
            series.append(elapsed: Double(index), duration: 1, cores: cores, memoryBytes: memory)
            coreSeconds += cores
            #expect(series.samples.count <= 100)
        }
        let samples = series.samples
        #expect(samples.count > 50)
        #expect(samples.map(\.memoryBytes).max() == 12 << 30)
        #expect(samples.last?.t == 36_000)
        let perSample = Double(series.intervalsPerSample)
        #expect(series.intervalsPerSample == 512)
        // Evenly spaced except possibly the final partial sample.
        for pair in zip(samples.dropLast(2), samples.dropFirst().dropLast()) {
            #expect(pair.1.t - pair.0.t == perSample)
        }
        // Time-weighted averages keep total CPU.
        var previous = 0.0
        var recorded = 0.0
        for sample in samples {
            recorded += sample.cores * (sample.t - previous)
            previous = sample.t
        }
        #expect(abs(recorded - coreSeconds) < 1e-6)
    }

    @Test func shortSeriesIsKeptAsIs() {
        var series = SampleSeries(maxSamples: 3600)
        series.append(elapsed: 1, duration: 1, cores: 1.5, memoryBytes: 10)
        series.append(elapsed: 1.5, duration: 0.5, cores: 0.5, memoryBytes: 20)
        #expect(series.samples == [
            .init(t: 1, cores: 1.5, memoryBytes: 10), .init(t: 1.5, cores: 0.5, memoryBytes: 20),
        ])
    }

    @Test func histogramPercentiles() {
        var histogram = CoreUsageHistogram()
        #expect(histogram.percentile(0.95) == 0)
        for value in 1...100 { histogram.add(Double(value) / 100) }
        #expect(histogram.percentile(0.95) == 0.95)
        #expect(histogram.percentile(1) == 1)
        #expect(histogram.maximum == 1)
        histogram.add(13.456)
        #expect(histogram.maximum == 13.456)
        #expect(histogram.percentile(0.95) == 0.96)
        var rounded = CoreUsageHistogram()
        rounded.add(0.656)
        #expect(rounded.percentile(0.95) == 0.656)
    }
}
