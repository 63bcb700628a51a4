import Foundation
import LarderAPI
@testable import RunCompare
import RunModel
import Testing

/// Runs at the edges: no tasks, steps on one side only, every task failed (issue 18 item 6,
/// issue 17 item 18).
@Suite struct EdgeRunTests {
    static func empty(_ name: String) -> LoadedRun {
        LoadedRun(document: RunDocument(flow: "F", run: name, tasks: []))
    }

    @Test func emptyRunsShowNoStartDate() throws {
        let report = RunComparer.compare(Self.empty("A"), Self.empty("B"))
        #expect(report.runs.a.start == nil && report.runs.a.end == nil && report.runs.a.wallSeconds == 0)
        #expect(report.outputs.overall == nil && report.findings.isEmpty && report.timings.steps.isEmpty)
        for output in [TextRenderer().render(report), MarkdownRenderer.render(report), HTMLRenderer.render(report),
                       try JSONRenderer.render(report)] {
            #expect(!output.contains("1970"), "\(output)")
        }
        #expect(TextRenderer().render(report).contains("A: no tasks recorded"))
        let wer = try #require(try FailRule(parsing: "wer>0.05").violation(in: report))
        #expect(wer.contains("no artifact of the matched tasks is a text"))
    }

    @Test func emptyAgainstARun() throws {
        let report = RunComparer.compare(Self.empty("A"), LoadedRun(document: try Fixtures.runB()))
        #expect(report.matching.onlyInB.count == 6 && report.matching.byInput == 0)
        #expect(report.timings.wall.a == nil && report.timings.wall.ratio == nil)
        #expect(report.findings.contains { $0.kind == "unmatched-tasks" && $0.title == "0 tasks only in A, 6 only in B" })
        let text = TextRenderer().render(report)
        #expect(text.contains("A: no tasks recorded"))
        #expect(!text.contains("1970"))
    }

    @Test func stepsOnOneSideOnly() throws {
        let a = try TextRuns.run("A", [.init(step: "prepare", task: "1", input: [:], text: "x y"),
                                       .init(step: "tiny", task: "2", input: ["url": "v1"], text: "a b c")])
        let b = try TextRuns.run("B", [.init(step: "tiny", task: "2", input: ["url": "v1"], text: "a b c"),
                                       .init(step: "large", task: "3", input: ["url": "v1"], text: "a b c")])
        let report = RunComparer.compare(a, b)
        #expect(report.timings.steps.map(\.step) == ["prepare", "tiny", "large"])
        let prepare = try #require(report.timings.steps.first { $0.step == "prepare" })
        #expect(prepare.a?.tasks == 1 && prepare.b == nil && prepare.ratio == nil)
        let large = try #require(report.timings.steps.first { $0.step == "large" })
        #expect(large.a == nil && large.b?.tasks == 1)
        #expect(report.matching.onlyInA.map(\.step) == ["prepare"] && report.matching.onlyInB.map(\.step) == ["large"])
        #expect(report.outputs.overall?.texts == 1)
        #expect(report.resources.steps.map(\.step).sorted() == ["large", "prepare", "tiny"])
        let rule = try #require(try FailRule(parsing: "step:prepare>+10%").violation(in: report))
        #expect(rule.contains("missing from one or both runs"))
        _ = TextRenderer().render(report)
        _ = HTMLRenderer.render(report)
    }

    @Test func everyTaskFailed() throws {
        let a = try TextRuns.run("A", [.init(task: "1", input: ["url": "v1"], text: "a", status: 1),
                                       .init(task: "2", input: ["url": "v2"], text: "b", status: 2)])
        let b = try TextRuns.run("B", [.init(task: "1", input: ["url": "v1"], text: "a", status: 1),
                                       .init(task: "2", input: ["url": "v2"], text: "b", status: 137)])
        let report = RunComparer.compare(a, b)
        #expect(report.runs.a.failedTasks == 2 && report.runs.b.failedTasks == 2)
        let failed = report.findings.filter { $0.kind == "failed-tasks" }
        #expect(failed.map(\.title) == ["2 of 2 tasks in A did not exit 0", "2 of 2 tasks in B did not exit 0"])
        #expect(TextRenderer().render(report).contains("2 of 2 tasks in A did not exit 0"))
    }
}
