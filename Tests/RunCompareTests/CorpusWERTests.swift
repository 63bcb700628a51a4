import Foundation
import Testing
@testable import RunCompare

/// Corpus WER counts every text pair: identical texts add their words as hits (issue 9, issue 17 item 17).
@Suite struct CorpusWERTests {
    static let ten = "one two three four five six seven eight nine ten"

    /// The issue's example: one identical 10-word transcript, one differing in 1 word of 4 → 1/14.
    static func example() throws -> ComparisonReport {
        let a = try TextRuns.run("A", [.init(task: "1", input: ["url": "v1"], text: ten),
                                       .init(task: "2", input: ["url": "v2"], text: "hello six minute english")])
        let b = try TextRuns.run("B", [.init(task: "1", input: ["url": "v1"], text: ten),
                                       .init(task: "2", input: ["url": "v2"], text: "hello six minutes english")])
        return RunComparer.compare(a, b)
    }

    @Test func identicalTextsCountInTheCorpus() throws {
        let report = try Self.example()
        let overall = try #require(report.outputs.overall)
        #expect(overall.texts == 2)
        #expect(overall.differ == 1)
        #expect(overall.measures.referenceWords == 14)
        #expect(overall.measures.hits == 13)
        #expect(overall.measures.wer == 1.0 / 14.0)
        let step = try #require(report.outputs.byStep.first)
        #expect(step.key == "transcribe" && step.texts == 2 && step.differ == 1 && step.measures.wer == 1.0 / 14.0)
        #expect(report.outputs.byInput.map(\.texts) == [1, 1])
        #expect(report.outputs.byInput.map(\.measures.wer) == [0, 0.25])
        let same = try #require(report.outputs.artifacts.first { $0.input == "url=v1" })
        #expect(same.status == "same")
        #expect(same.measures?.hits == 10 && same.measures?.wer == 0)
        // Every format says 7.1 % over both texts.
        let text = TextRenderer().render(report)
        #expect(text.contains("over 2 text pairs (1 identical in words), 14 reference words"))
        #expect(text.range(of: #"all\s+2\s+1\s+7\.1%"#, options: .regularExpression) != nil, "\(text)")
        #expect(MarkdownRenderer.render(report).contains("| **all** | 2 | 1 | 7.1% |"))
        #expect(HTMLRenderer.render(report).contains("7.1%"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try JSONRenderer.render(report).utf8)) as? [String: Any])
        let outputs = try #require(json["outputs"] as? [String: Any])
        let all = try #require(outputs["overall"] as? [String: Any])
        #expect(all["texts"] as? Int == 2 && all["differ"] as? Int == 1)
        #expect(json["schema"] as? String == "runcmp.report/v2")
    }

    @Test func allIdenticalGivesZeroAndPassesTheGate() throws {
        let a = try TextRuns.run("A", [.init(task: "1", input: ["url": "v1"], text: Self.ten),
                                       .init(task: "2", input: ["url": "v2"], text: "a b c")])
        let report = RunComparer.compare(a, a)
        let overall = try #require(report.outputs.overall)
        #expect(overall.texts == 2 && overall.differ == 0 && overall.measures.wer == 0 && overall.measures.referenceWords == 13)
        #expect(report.outputs.byStep.map(\.measures.wer) == [0])
        let json = try JSONRenderer.render(report)
        #expect(json.contains("\"wer\" : 0"))
        #expect(try FailRule(parsing: "wer>0.05").violation(in: report) == nil)
        #expect(try FailRule(parsing: "wer>5%").violation(in: report) == nil)
    }

    @Test func octetStreamJSONIsSniffedAndItsTextCompared() throws {
        // Records made before `larder run` detected media types: JSON stored as application/octet-stream.
        let json = { (text: String) in #"{"text": "\#(text)", "segments": [{"start": 0, "text": "\#(text)"}]}"# }
        let a = try TextRuns.run("A", [.init(task: "1", input: ["url": "v1"], text: json("the cat sat"),
                                             mediaType: "application/octet-stream")], name: "result")
        let b = try TextRuns.run("B", [.init(task: "1", input: ["url": "v1"], text: json("the cat sat down"),
                                             mediaType: "application/octet-stream")], name: "result")
        let report = RunComparer.compare(a, b)
        let artifact = try #require(report.outputs.artifacts.first)
        #expect(artifact.status == "text")
        #expect(artifact.measures?.referenceWords == 3 && artifact.measures?.insertions == 1)
        // Choosing the segments instead gives the same words here; a missing field is reported as such.
        let segments = RunComparer.compare(a, b, options: ComparisonOptions(textField: try TextFieldPath(parsing: "segments[].text")))
        #expect(segments.outputs.artifacts.first?.measures?.insertions == 1)
        #expect(segments.outputs.textField == "segments[].text")
        let missing = RunComparer.compare(a, b, options: ComparisonOptions(textField: try TextFieldPath(parsing: "result.text")))
        #expect(missing.outputs.artifacts.first?.status == "no-text-field")
        #expect(missing.outputs.overall == nil)
        // Bytes that are not UTF-8 stay binary.
        let binary = try TextRuns.run("C", [.init(task: "1", input: ["url": "v1"], text: "\u{0}\u{1}",
                                                  mediaType: "application/octet-stream")], name: "result")
        #expect(RunComparer.compare(a, binary).outputs.artifacts.first?.status == "binary")
    }

    @Test func textFieldPicksANestedTranscript() throws {
        let a = try TextRuns.run("A", [.init(task: "1", input: ["url": "v1"], text: #"{"result": {"text": "a b c d"}, "text": "x"}"#,
                                             mediaType: "application/json")])
        let b = try TextRuns.run("B", [.init(task: "1", input: ["url": "v1"], text: #"{"result": {"text": "a b z d"}, "text": "x"}"#,
                                             mediaType: "application/json")])
        #expect(RunComparer.compare(a, b).outputs.overall?.measures.wer == 0)
        let nested = RunComparer.compare(a, b, options: ComparisonOptions(textField: try TextFieldPath(parsing: "result.text")))
        #expect(nested.outputs.overall?.measures.wer == 0.25)
        let absent = RunComparer.compare(a, b, options: ComparisonOptions(textField: try TextFieldPath(parsing: "nope")))
        #expect(absent.outputs.artifacts.first?.status == "no-text-field")
        #expect(throws: RunCompareError.self) { try TextFieldPath(parsing: "a..b") }
    }
}
