import Testing
@testable import RunCompare

@Suite struct StatisticsTests {
    @Test func percentilesInterpolateLikeNumPy() {
        #expect(Statistics.percentile([1, 2, 3, 4], 50) == 2.5)
        #expect(Statistics.percentile([10], 95) == 10)
        #expect(Statistics.percentile([], 95) == nil)
        // numpy.percentile(range(1, 21), 95) == 19.05
        #expect(abs((Statistics.percentile((1...20).map(Double.init), 95) ?? 0) - 19.05) < 1e-9)
        #expect(Statistics.median([5, 1, 3]) == 3)
    }

    @Test func mannWhitneyExact() throws {
        // scipy.stats.mannwhitneyu([1,2,3,4,5], [6,7,8,9,10], method="exact").pvalue == 0.007936507936507936
        let test = try #require(Statistics.mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]))
        #expect(test.exact && abs(test.p - 0.007936507936507936) < 1e-12 && test.u == 0)
        // 3 against 3 can never reach p < 0.05: the smallest two-sided p is 0.1.
        let small = try #require(Statistics.mannWhitneyU([1, 2, 3], [4, 5, 6]))
        #expect(abs(small.p - 0.1) < 1e-12)
        let same = try #require(Statistics.mannWhitneyU([1, 3, 5], [2, 4, 6]))
        #expect(same.p > 0.5)
    }

    @Test func mannWhitneyNormalWithTies() throws {
        // U = 3, mean 12.5, tie-corrected variance 25/12 · (11 − 60/90) = 21.53,
        // z = (9.5 − 0.5) / 4.640 = 1.940, p = erfc(z/√2) ≈ 0.0524 (scipy's "asymptotic" method).
        let test = try #require(Statistics.mannWhitneyU([1, 1, 2, 2, 3], [2, 3, 3, 4, 4]))
        #expect(!test.exact)
        #expect(abs(test.p - 0.0524) < 0.0005)
    }

    @Test func recommendationRule() {
        let rule = RecommendationRule()
        #expect(rule.cpu(forUsage: 12.8) == 15)      // 12.8 × 1.15 = 14.72 → 15
        #expect(rule.cpu(forUsage: 6.5) == 8)        // 7.475 → 8
        #expect(rule.cpu(forUsage: 0.3) == 0.5)      // 0.345 → 0.5 (quarter cores below 1)
        #expect(rule.cpu(forUsage: 0) == 0.25)
        #expect(rule.memoryMiB(forPeak: 12_562_779_750) == 13824)   // 11.7 GiB × 1.15 = 13778 MiB → 13824
        #expect(rule.memoryMiB(forPeak: 1_700_000_000) == 2048) // 1864.5 MiB → 8 × 256
        let custom = RecommendationRule(cpuPercentile: 90, cpuHeadroom: 0, memoryHeadroom: 0)
        #expect(custom.cpu(forUsage: 12.8) == 13)
        #expect(custom.memoryMiB(forPeak: 512 << 20) == 512)
        #expect(RecommendationRule.decorator(cpu: 0.5, memoryMiB: 2048) == "@kubernetes(cpu=0.5, memory=2048)")
    }

    @Test func reportUsesPercentileOfSamples() throws {
        let report = try Fixtures.report()
        let large = try #require(report.recommendations.first { $0.step == "large" })
        // Highest p95 of B's pooled samples is 13.8 cores; 13.8 × 1.15 = 15.87 → 16.
        #expect(large.cpu == 16)
        #expect(large.decorator == "@kubernetes(cpu=16, memory=13824)")
    }
}
