import Foundation
import LarderAPI
@testable import RunCompare
import RunModel
import Testing

/// Findings are ranked by time lost with the uncertainty taken into account, and ratios of
/// near-zero medians are not headlined (issue 17 item 14).
@Suite struct FindingRankTests {
    static func runs() throws -> (LoadedRun, LoadedRun) {
        var a: [TaskRecord] = [], b: [TaskRecord] = []
        // `work`: medians 0.7 s in A vs 2 ms in B, but one 40 s outlier and overlapping values: a
        // large "loss" (spans 40 s vs 0.9 s) that the data does not support (p = 1).
        for (task, (left, right)) in zip(1...3, [(40.0, 0.002), (0.7, 0.9), (0.001, 0.0015)]) {
            a.append(try Fixtures.record(step: "work", task: "\(task)", duration: left))
            b.append(try Fixtures.record(step: "work", task: "\(task)", duration: right))
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
        #expect(work.uncertain == true && work.estimatedSecondsLost > 10 * big.estimatedSecondsLost)
        #expect((work.confidence ?? 1) < 0.1 && (big.confidence ?? 0) > 0.99)
    }

    @Test func nearZeroMediansAreNotHeadlinedAsARatio() throws {
        let (a, b) = try Self.runs()
        let work = try #require(RunComparer.compare(a, b).findings.first { $0.step == "work" })
        #expect(work.title == "step `work` took 0.7s longer per task in A than in B (not significant)")
        #expect(!work.title.contains("×"))
        #expect(work.evidence.first?.hasPrefix("median 0.7s in A vs 0s in B; step span") == true, "\(work.evidence)")
        let big = try #require(RunComparer.compare(a, b).findings.first { $0.step == "big" })
        #expect(big.title == "step `big` took 1.2× as long in B as in A")
    }
}
