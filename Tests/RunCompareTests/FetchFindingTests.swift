import Foundation
import LarderAPI
@testable import RunCompare
import RunModel
import Testing

/// The `fetching` finding's thresholds (≥ 10 % of task time and ≥ 5 s per task, not all hits) and its
/// warm command naming the run that fetched; `repeated-download` for one node downloading twice.
@Suite struct FetchFindingTests {
    static let model: Int64 = 3_100_000_000

    /// Three tasks of step `s` per run: A's each download the model from upstream in `seconds` within
    /// `duration`; B's hit the cache in 0.4 s within 20 s. Each task on its own node unless `oneNode`.
    static func compare(duration: Double, seconds: Double, outcome: FetchOutcome = .miss, oneNode: Bool = false,
                        fetchingSide: String = "A") throws -> ComparisonReport {
        var slow: [TaskRecord] = [], fast: [TaskRecord] = []
        for index in 1...3 {
            let node = oneNode ? "n" : "n\(index)"
            slow.append(try FetchAnalysisTests.task("s", "\(index)", node: node, duration: duration, fetches: [
                FetchAnalysisTests.item("hf://org/m@main", bytes: model, outcome: outcome, at: Double(index), seconds: seconds)]))
            fast.append(try FetchAnalysisTests.task("s", "\(index)", node: node, duration: 20, fetches: [
                FetchAnalysisTests.item("hf://org/m@main", bytes: model, outcome: .hit, at: Double(index), seconds: 0.4)]))
        }
        let (a, b) = fetchingSide == "A" ? (slow, fast) : (fast, slow)
        return RunComparer.compare(LoadedRun(document: RunDocument(flow: "F", run: "A", tasks: a)),
                                   LoadedRun(document: RunDocument(flow: "F", run: "B", tasks: b)))
    }

    static func fetching(_ report: ComparisonReport) -> [Finding] { report.findings.filter { $0.kind == "fetching" } }

    @Test func firesAtTheThresholdWithTheWarmCommandOfTheRunThatFetched() throws {
        // 10 s of 100 s: exactly 10 % and 10 s per task.
        let report = try Self.compare(duration: 100, seconds: 10)
        let finding = try #require(Self.fetching(report).first)
        #expect(Self.fetching(report).count == 1)
        #expect(finding.side == "A" && finding.step == "s")
        #expect(finding.title == "step `s` in A spent 10.0% of its time fetching 3.1 GB from upstream on every task; "
            + "B fetched from cache in 0.4s")
        #expect(finding.action == "pre-warm with `larder warm --from-run F/A --step s --pin` on the nodes before the next run")
        #expect(abs(finding.estimatedSecondsLost - 9.6) < 1e-3)
        #expect(finding.evidence.first?.hasPrefix("A: 3 tasks waited 10s each (10.0% of task time; 30s in all, longest 10s)") == true)

        let reversed = try Self.compare(duration: 100, seconds: 10, fetchingSide: "B")
        let other = try #require(Self.fetching(reversed).first)
        #expect(other.side == "B" && other.action?.contains("--from-run F/B --step s --pin") == true)
        #expect(other.title.hasPrefix("step `s` in B spent 10.0% of its time fetching"))
    }

    @Test func justUnderTheShareDoesNotFire() throws {
        // 9.9 s of 100 s: 9.9 % (mean 9.9 s ≥ 5 s).
        let report = try Self.compare(duration: 100, seconds: 9.9)
        #expect(try #require(report.fetches?.steps.first?.a?.share) < FetchWasteRule.minimumShare)
        #expect(Self.fetching(report).isEmpty)
    }

    @Test func justUnderTheSecondsPerTaskDoesNotFire() throws {
        // 4.9 s of 20 s: 24.5 % of the time, but under 5 s per task.
        let report = try Self.compare(duration: 20, seconds: 4.9)
        #expect(Self.fetching(report).isEmpty)
        #expect(try !Self.fetching(Self.compare(duration: 20, seconds: 5)).isEmpty)
    }

    @Test func slowHitsAreNotDownloadWaste() throws {
        // Half the time fetching, but every object came from the node's store: pre-warming cannot help.
        let report = try Self.compare(duration: 100, seconds: 50, outcome: .hit)
        #expect(Self.fetching(report).isEmpty)
        #expect(try #require(report.fetches?.steps.first?.a?.hitRatioBytes) == 1)
    }

    @Test func repeatedDownloadsOnOneNodePointAtTheCache() throws {
        let spread = try Self.compare(duration: 100, seconds: 10)
        #expect(!spread.findings.contains { $0.kind == "repeated-download" })
        let packed = try Self.compare(duration: 100, seconds: 10, oneNode: true)
        let finding = try #require(packed.findings.first { $0.kind == "repeated-download" })
        #expect(finding.side == "A" && finding.estimatedSecondsLost == 0)
        #expect(finding.title == "tasks of step `s` in A downloaded the same objects from upstream again on one node: "
            + "2 repeated downloads, 6.2 GB (hf://org/m@main)")
        #expect(finding.evidence.first == "hf://org/m@main: downloaded 3× by 3 tasks on node n (6.2 GB again)")
        #expect(finding.action?.contains("larder warm --from-run F/A --step s --pin") == true)
        // Ranked after the time-losing findings.
        let fetching = try #require(Self.fetching(packed).first)
        #expect(fetching.rank < finding.rank)
    }
}
