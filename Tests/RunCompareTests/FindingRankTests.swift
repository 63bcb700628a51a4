import Foundation
import RunModel
import Testing
@testable import RunCompare

/// Findings are ranked by time lost with the uncertainty taken into account, and ratios of
/// near-zero medians are not headlined (issue 17 item 14).
@Suite struct FindingRankTests {
    static func runs() throws -> (LoadedRun, LoadedRun) {
        var a: [TaskRecord] = [], b: [TaskRecord] = []
        // `work`: 3 tasks a side, 30 s in A vs 2 ms in B: a large but untested-significance (p = 0.1) loss.
        for task in 1...3 {
            a.append(try Fixtures.record(step: "work", task: "\(task)", duration: 30 + Double(task) / 10))
            b.append(try Fixtures.record(step: "work", task: "\(task)", duration: 0.002))
        }
        // `big`: 8 tasks a side, 10 s in A vs 12 s in B: a small, significant loss.
        for task in 11...18 {
            a.append(try Fixtures.record(step: "big", task: "\(task)", duration: 10 + Double(task) / 100))
            b.append(try Fixtures.record(step: "big", task: "\(task)", duration: 12 + Double(task) / 100))
        }
        return (LoadedRun(document: RunDocument(flow: "F", run: "A", tasks: a)),
                LoadedRun(document: RunDocument(flow: "F", run: "B", tasks: b)))
    }

    @Test func establishedLossRanksBeforeAnUncertainOne() throws {
        let (a, b) = try Self.runs()
        let report = RunComparer.compare(a, b)
        let steps = report.findings.filter { $0.kind == "slower-step" }
        #expect(steps.map(\.step) == ["big", "work"])
        let big = try #require(steps.first), work = try #require(steps.last)
        #expect(big.uncertain == nil && big.rank < work.rank)
        #expect(work.uncertain == true && work.estimatedSecondsLost > big.estimatedSecondsLost)
        // Every established loss comes before the uncertain one.
        #expect(report.findings.filter { $0.rank < work.rank }.allSatisfy { $0.uncertain != true })
    }

    @Test func nearZeroMediansAreNotHeadlinedAsARatio() throws {
        let (a, b) = try Self.runs()
        let work = try #require(RunComparer.compare(a, b).findings.first { $0.step == "work" })
        #expect(work.title == "step `work` took 30s longer per task in A than in B (not significant)")
        #expect(!work.title.contains("×"))
        #expect(work.evidence.first?.hasPrefix("median 30s in A vs 0s in B; step span") == true, "\(work.evidence)")
        let big = try #require(RunComparer.compare(a, b).findings.first { $0.step == "big" })
        #expect(big.title == "step `big` took 1.2× as long in B as in A")
    }
}
