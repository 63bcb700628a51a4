import Foundation
import Testing
@testable import RunCompare

/// Side selectors: `RUN[model=tiny]` against `RUN[model=large]` inside one run (issue 9).
@Suite struct SelectorTests {
    static let references = ["v1": "the quick brown fox jumps over the lazy dog", "v2": "hello and welcome to six minute english",
                             "v3": "scientists think the answer lies in the brain"]
    static let large = ["v1": "the quick brown fox jumps over the lazy dog", "v2": "hello and welcome to 6 minute english",
                        "v3": "scientists think that the answer lies in a brain"]

    /// One run, step `transcribe`, tiny (10 s) and large (30 s) for three videos.
    static func run() throws -> LoadedRun {
        var tasks: [TextRuns.Task] = []
        for (index, video) in ["v1", "v2", "v3"].enumerated() {
            tasks.append(.init(task: "\(index + 1)", input: ["model": "tiny", "url": video], text: references[video] ?? "",
                               duration: 10 + Double(index)))
            tasks.append(.init(task: "\(index + 4)", input: ["model": "large", "url": video], text: large[video] ?? "",
                               duration: 30 + Double(index)))
        }
        return try TextRuns.run("1", tasks)
    }

    @Test func parsesSelectors() throws {
        let (reference, selector) = try SideSelector.split("Whisper/1[model=tiny, step=transcribe,task=4,input.step=x]")
        #expect(reference == "Whisper/1")
        #expect(selector?.filters == [.input(key: "model", value: "tiny"), .step("transcribe"), .task("4"),
                                      .input(key: "step", value: "x")])
        #expect(selector?.description == "model=tiny,step=transcribe,task=4,input.step=x")
        #expect(try SideSelector.split("a.json").selector == nil)
        for bad in ["W/1[model]", "W/1[=tiny]", "W/1[model=]", "[model=tiny]", "W/1[]"] {
            #expect(throws: RunCompareError.self, "\(bad)") { try SideSelector.split(bad) }
        }
    }

    @Test func modelAgainstModelInsideOneRun() throws {
        let run = try Self.run()
        let (_, tiny) = try SideSelector.split("F/1[model=tiny]")
        let (_, large) = try SideSelector.split("F/1[model=large]")
        let report = try RunComparer.compare(run, tiny, run, large)
        // Matched by the remaining input (the video), not by position.
        #expect(report.matching.byInput == 3 && report.matching.byOrder == 0)
        #expect(report.matching.onlyInA.isEmpty && report.matching.onlyInB.isEmpty)
        #expect(report.runs.a.selector == "model=tiny" && report.runs.b.selector == "model=large")
        #expect(report.runs.a.tasks == 3 && report.runs.b.tasks == 3)
        #expect(report.selection?.ignoredInputKeys == ["model"])
        // WER of large against tiny: v1 identical (9 words), v2 1 substitution of 7, v3 1 insertion + 1 substitution of 8.
        let overall = try #require(report.outputs.overall)
        #expect(overall.texts == 3 && overall.differ == 2 && overall.measures.referenceWords == 24)
        #expect(overall.measures.wer == 3.0 / 24.0)
        // Time per model.
        let step = try #require(report.timings.steps.first)
        #expect(step.a?.median == 11 && step.b?.median == 31)
        let tradeOff = try #require(report.tradeOff)
        #expect(tradeOff.key == "model" && tradeOff.a == "tiny" && tradeOff.b == "large")
        #expect(tradeOff.medianTaskSeconds.a == 11 && tradeOff.medianTaskSeconds.b == 31)
        #expect(tradeOff.wer == 3.0 / 24.0 && tradeOff.texts == 3)
        // The renderer wraps at 100 columns; join the continuation lines before searching.
        let text = TextRenderer().render(report).replacingOccurrences(of: "\n    ", with: " ")
        #expect(text.contains("A = F/1[model=tiny]  vs  B = F/1[model=large]"))
        #expect(text.contains("TRADE-OFF"))
        #expect(text.contains("model=large against model=tiny: +181.8% time per task"), "\(text)")
        #expect(text.contains("WER of large with tiny as the reference 12.5% over 3 texts, 24 words"))
        #expect(MarkdownRenderer.render(report).contains("**Trade-off:**"))
        #expect(try JSONRenderer.decode(Data(try JSONRenderer.render(report).utf8)) == report)
    }

    @Test func stepSelectorsPairDifferentSteps() throws {
        let run = LoadedRun(document: try Fixtures.runA())
        let (_, tiny) = try SideSelector.split("x[step=tiny]")
        let (_, large) = try SideSelector.split("x[step=large]")
        let report = try RunComparer.compare(run, tiny, run, large)
        #expect(report.matching.byInput == 3)
        #expect(report.timings.steps.map(\.step) == ["tiny|large"])
        #expect(report.outputs.overall?.measures.wer == 0)  // both steps wrote the same texts in A
        #expect(report.tradeOff == nil)
    }

    @Test func unknownKeyAndEmptySelectionListWhatIsThere() throws {
        let run = try Self.run()
        let (_, typo) = try SideSelector.split("F/1[modle=tiny]")
        do {
            _ = try RunComparer.compare(run, typo, run, nil)
            Issue.record("an unknown key was accepted")
        } catch {
            #expect("\(error)" == "F/1 has no input key \"modle\"; available keys: step, task, model, url")
        }
        let (_, huge) = try SideSelector.split("F/1[model=huge]")
        do {
            _ = try RunComparer.compare(run, nil, run, huge)
            Issue.record("an empty selection was accepted")
        } catch {
            #expect("\(error)" == "F/1[model=huge] selects no task; values present: model: tiny, large; "
                + "available keys: step, task, model, url")
        }
    }
}
