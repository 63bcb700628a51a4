import Foundation
import LarderAPI
@testable import RunCompare
import RunModel
import Testing

/// The Fetches section's statistics (issue 15): totals, hit ratios, waiting per task and as a share of
/// task time, outcome tallies, "not recorded" against zero, and repeated upstream downloads on one node.
@Suite struct FetchAnalysisTests {
    static let origin = Date(timeIntervalSince1970: 1_800_000_000)

    static func item(_ ref: String, bytes: Int64, outcome: FetchOutcome, at offset: Double, seconds: Double) -> FetchedObject {
        FetchedObject(ref: ref, bytes: bytes, upstreamBytes: outcome == .miss ? bytes : 0, outcome: outcome,
                      start: origin.addingTimeInterval(offset), firstByteSeconds: 0.1, seconds: seconds)
    }

    static func task(_ step: String, _ id: String, node: String = "n", duration: Double, fetches: [FetchedObject]?) throws -> TaskRecord {
        var record = try Fixtures.record(step: step, task: id, node: node, duration: duration)
        record.fetches = fetches.map { TaskFetches(summarising: $0) }
        return record
    }

    @Test func summaryOfAStep() throws {
        // Task 1 (100 s): a 10 s miss of 1,000 bytes overlapping a 4 s hit of 3,000 → 12 s in flight.
        // Task 2 (50 s): a 2 s coalesced read of 1,000 bytes and a 1 s hit of 5,000, apart → 3 s.
        let tasks = [
            try Self.task("s", "1", duration: 100, fetches: [Self.item("a", bytes: 1_000, outcome: .miss, at: 0, seconds: 10),
                                                              Self.item("b", bytes: 3_000, outcome: .hit, at: 8, seconds: 4)]),
            try Self.task("s", "2", duration: 50, fetches: [Self.item("a", bytes: 1_000, outcome: .coalesced, at: 1, seconds: 2),
                                                             Self.item("c", bytes: 5_000, outcome: .hit, at: 20, seconds: 1)]),
        ]
        let s = try #require(FetchAnalysis.summary(tasks))
        #expect(s.tasks == 2 && s.objects == 4 && s.bytes == 10_000 && s.upstreamBytes == 1_000)
        #expect(s.hitRatioBytes == 0.8 && s.hitRatioObjects == 0.5)
        #expect(s.seconds == 15 && s.meanSeconds == 7.5 && s.maxSeconds == 12)
        #expect(s.share == 15.0 / 150.0)
        #expect(s.upstreamTasks == 2)
        #expect(s.byOutcome["hit"] == OutcomeTotals(objects: 2, bytes: 8_000, seconds: 5))
        #expect(s.byOutcome["miss"] == OutcomeTotals(objects: 1, bytes: 1_000, seconds: 10))
        #expect(s.byOutcome["coalesced"] == OutcomeTotals(objects: 1, bytes: 1_000, seconds: 2))
        #expect(s.byOutcome["peer"] == nil)
        // The coalesced read brought nothing from upstream itself: no repeated download.
        #expect(s.repeatedObjects == 0 && s.repeated.isEmpty)
    }

    @Test func tasksWithoutFetchesAreNotCountedAsZero() throws {
        let tasks = [try Self.task("s", "1", duration: 10, fetches: [Self.item("a", bytes: 100, outcome: .hit, at: 0, seconds: 1)]),
                     try Self.task("s", "2", duration: 90, fetches: nil)]
        let s = try #require(FetchAnalysis.summary(tasks))
        #expect(s.tasks == 1 && s.meanSeconds == 1 && s.share == 0.1)
        #expect(FetchAnalysis.summary([try Self.task("s", "3", duration: 5, fetches: nil)]) == nil)
    }

    @Test func aSideWithoutFetchesSaysNotRecorded() throws {
        let a = [try Self.task("s", "1", duration: 100, fetches: [Self.item("a", bytes: 2_000_000_000, outcome: .miss, at: 0, seconds: 30)])]
        let b = [try Self.task("s", "1", duration: 70, fetches: nil), try Self.task("other", "2", duration: 5, fetches: nil)]
        let report = RunComparer.compare(LoadedRun(document: RunDocument(flow: "F", run: "A", tasks: a)),
                                         LoadedRun(document: RunDocument(flow: "F", run: "B", tasks: b)))
        let section = try #require(report.fetches)
        #expect(section.steps.map(\.step) == ["s"])  // `other` recorded no fetches on either side
        #expect(section.steps[0].b == nil && section.steps[0].tasksB == 1 && section.steps[0].a?.bytes == 2_000_000_000)
        let text = TextRenderer().render(report)
        #expect(text.contains("FETCHES"))
        #expect(text.split(separator: "\n").contains {
            $0.hasPrefix("  s ") && $0.contains(" B ") && $0.contains("0/1") && $0.hasSuffix("not recorded")
        })
        #expect(MarkdownRenderer.render(report).contains("| `s` | B | 0/1 | not recorded |"))
        let html = HTMLRenderer.render(report)
        #expect(html.contains(">0/1</td><td class=\"n\">not recorded</td></tr>"))
        #expect(html.contains("Waiting on fetches</div><div class=\"big\">30s → not recorded</div>"))
        let finding = try #require(report.findings.first { $0.kind == "fetching" })
        #expect(finding.title.hasSuffix("; B's fetches were not recorded"))
    }

    @Test func stepsThatFetchedNothingAreLeftOut() throws {
        // Recorded, but empty: `start` fetched nothing in either run; `s` fetched in A only.
        let a = [try Self.task("start", "1", duration: 5, fetches: []),
                 try Self.task("s", "2", duration: 100, fetches: [Self.item("a", bytes: 10, outcome: .miss, at: 0, seconds: 1)])]
        let b = [try Self.task("start", "1", duration: 5, fetches: []), try Self.task("s", "2", duration: 100, fetches: [])]
        let report = RunComparer.compare(LoadedRun(document: RunDocument(flow: "F", run: "A", tasks: a)),
                                         LoadedRun(document: RunDocument(flow: "F", run: "B", tasks: b)))
        let steps = try #require(report.fetches?.steps)
        #expect(steps.map(\.step) == ["s"])
        // B recorded that it fetched nothing: zero, not "not recorded".
        #expect(steps[0].b?.objects == 0 && steps[0].b?.tasks == 1 && steps[0].b?.hitRatioBytes == nil)
        let empty = RunComparer.compare(LoadedRun(document: RunDocument(flow: "F", run: "A", tasks: [a[0]])),
                                        LoadedRun(document: RunDocument(flow: "F", run: "B", tasks: [b[0]])))
        #expect(empty.fetches == nil && !TextRenderer().render(empty).contains("FETCHES"))
    }

    @Test func recordsWithoutFetchesCompareExactlyAsBefore() throws {
        // Golden files made before the Fetches section existed, from the same fixture runs.
        func stripped(_ document: RunDocument) -> LoadedRun {
            var document = document
            for index in document.tasks.indices { document.tasks[index].fetches = nil }
            return LoadedRun(document: document)
        }
        let report = RunComparer.compare(stripped(try Fixtures.runA()), stripped(try Fixtures.runB()))
        #expect(report.fetches == nil)
        let html = HTMLRenderer.render(report), markdown = MarkdownRenderer.render(report)
        #expect(!html.contains("etches") && !markdown.contains("etches"))
        let golden = GoldenTests.directory
        #expect(TextRenderer().render(report)
            == (try String(contentsOf: golden.appendingPathComponent("report-without-fetches.txt"), encoding: .utf8)))
        #expect(try JSONRenderer.render(report)
            == (try String(contentsOf: golden.appendingPathComponent("report-without-fetches.json"), encoding: .utf8)))
    }

    @Test func repeatedUpstreamDownloadsOnOneNode() throws {
        let big: Int64 = 3_000_000_000
        let tasks = [
            try Self.task("s", "1", node: "n1", duration: 100, fetches: [Self.item("m", bytes: big, outcome: .miss, at: 0, seconds: 30)]),
            try Self.task("s", "2", node: "n1", duration: 100, fetches: [Self.item("m", bytes: big, outcome: .miss, at: 50, seconds: 30)]),
            try Self.task("s", "3", node: "n1", duration: 100, fetches: [Self.item("m", bytes: big, outcome: .miss, at: 90, seconds: 30)]),
            // Another node has its own cache: its first download is not a repeat.
            try Self.task("s", "4", node: "n2", duration: 100, fetches: [Self.item("m", bytes: big, outcome: .miss, at: 5, seconds: 30)]),
            // A hit on n1 is what the cache is for.
            try Self.task("s", "5", node: "n1", duration: 100, fetches: [Self.item("m", bytes: big, outcome: .hit, at: 95, seconds: 1)]),
        ]
        let s = try #require(FetchAnalysis.summary(tasks))
        #expect(s.repeated == [RepeatedDownload(object: "m", node: "n1", tasks: 3, downloads: 3, repeatedBytes: 2 * big)])
        #expect(s.repeatedObjects == 2 && s.repeatedBytes == 2 * big)
    }

    @Test func decimalByteSizes() {
        #expect(Format.bytes(0) == "0 B" && Format.bytes(999) == "999 B" && Format.bytes(2_480_466) == "2.5 MB")
        #expect(Format.bytes(151_061_672) == "151 MB" && Format.bytes(3_087_130_976) == "3.1 GB" && Format.bytes(999_960) == "1 MB")
        #expect(Format.bytes(nil) == "–")
    }
}
