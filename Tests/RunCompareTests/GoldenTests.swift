import Foundation
import LarderAPI
@testable import RunCompare
import Testing

/// Compares every output format of the fixture comparison with the files in `Golden/`.
///
/// The tests only ever compare (no environment variable turns them into passes). On a mismatch
/// the actual output is written to `$TMPDIR/runcmp-golden-actual/NAME` and the test fails;
/// `tools/update-golden.sh` (never run by CI) copies those files over the golden ones after an
/// intended change, for review with `git diff`.
@Suite struct GoldenTests {
    static let directory = Fixtures.testsDirectory.appendingPathComponent("Golden")
    static let actualDirectory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("runcmp-golden-actual")

    func check(_ name: String, _ actual: String) throws {
        let url = Self.directory.appendingPathComponent(name)
        let expected = try String(contentsOf: url, encoding: .utf8)
        if expected != actual {
            try FileManager.default.createDirectory(at: Self.actualDirectory, withIntermediateDirectories: true)
            let actualURL = Self.actualDirectory.appendingPathComponent(name)
            try Data(actual.utf8).write(to: actualURL)
            let message = "\(name) differs from the golden file; actual output written to \(actualURL.path) "
                + "(diff them; if the change is intended, run tools/update-golden.sh and review git diff)"
            Issue.record(Comment(rawValue: message))
        }
    }

    @Test func text() throws {
        let output = TextRenderer(color: false).render(try Fixtures.report())
        try check("report.txt", output)
        for line in output.split(separator: "\n") { #expect(line.count <= 100, "line wider than 100 columns: \(line)") }
        #expect(!output.contains("\u{1B}["))
    }

    @Test func colourOnlyWhenAsked() throws {
        #expect(TextRenderer(color: true).render(try Fixtures.report()).contains("\u{1B}[1m"))
    }

    @Test func json() throws {
        let report = try Fixtures.report()
        let output = try JSONRenderer.render(report)
        try check("report.json", output)
        #expect(try JSONRenderer.decode(Data(output.utf8)) == report)
    }

    @Test func markdown() throws {
        try check("report.md", MarkdownRenderer.render(try Fixtures.report()))
    }

    @Test func html() throws {
        let output = HTMLRenderer.render(try Fixtures.report())
        try check("report.html", output)
        #expect(!output.contains("<script"))
        // No network references: the only URL allowed is the SVG namespace.
        let withoutNamespace = output.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
        #expect(output.components(separatedBy: "<svg").count - 1 >= 2 + 2 * 6 + 1)
    }

    @Test func showAndList() throws {
        try check("show.txt", RunSummaryRenderer.render(try Fixtures.runA()))
        try check("ls.txt", RunSummaryRenderer.render(flows: [FlowSummary(flow: "Whisper", runs: 2)])
            + RunSummaryRenderer.render(runs: [RunSummary(run: "100", start: "2027-01-15T08:00:00Z", end: "2027-01-15T08:45:52Z", tasks: 6)],
                                        flow: "Whisper"))
    }
}
