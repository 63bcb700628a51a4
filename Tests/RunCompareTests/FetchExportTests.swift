import Foundation
import LarderTestSupport
@testable import RunCompare
import Testing

/// The `runcmp` executable on exported runs whose records carry `fetches` (the example: A's tasks download
/// their model from upstream, B's hit the cache): the section and the finding survive the export file and come
/// out in text and JSON, the JSON valid against the schema.
@Suite struct FetchExportTests {
    @Test func runcmpDiffOfExportedRunsShowsTheDownloadWaste() async throws {
        let runcmp = BuiltExecutable.path("runcmp")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runcmp-fetch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let example = try await ProcessRunner.run(runcmp, ["example", "--out", directory])
        #expect(example.status == 0, "\(example.stderr)")
        let a = directory + "/a.json", b = directory + "/b.json"
        #expect(try String(contentsOfFile: a, encoding: .utf8).contains("\"fetches\""))

        let text = try await ProcessRunner.run(runcmp, ["diff", a, b, "--color", "never"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("FETCHES"))
        #expect(text.stdout.contains("step `large` in A spent 12.0% of its time fetching 3.1 GB from upstream on every task; B"))
        #expect(text.stdout.contains("pre-warm with `larder warm --from-run SixMinVideos/1796000000 --step large --pin`"))

        let json = try await ProcessRunner.run(runcmp, ["diff", a, b, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONRenderer.decode(Data(json.stdout.utf8))
        let large = try #require(report.fetches?.steps.first { $0.step == "large" })
        #expect(large.a?.hitRatioBytes == 0 && large.b?.hitRatioBytes == 1)
        #expect(large.a?.upstreamBytes == 3 * 3_089_612_714 && large.b?.upstreamBytes == 0)
        let finding = try #require(report.findings.first { $0.kind == "fetching" })
        #expect(finding.side == "A" && finding.step == "large" && finding.estimatedSecondsLost > 300)
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: SchemaTests.schemaURL)) as? [String: Any])
        let errors = JSONSchemaValidator(root: schema).validate(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)))
        #expect(errors.isEmpty, "\(errors.prefix(10))")
    }
}
