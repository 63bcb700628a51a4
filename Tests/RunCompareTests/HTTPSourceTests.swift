import Foundation
import LarderAPI
@testable import RunCompare
import LarderTestSupport
import RunModel
import Testing

/// Reads runs and artifacts over HTTP from a real `larder serve` on 127.0.0.1 (runs stored with
/// `larder runs import`), so the artifacts are not inline and must be fetched from the server.
@Suite struct HTTPSourceTests {
    /// Runs `larder ARGS…` to completion; returns the status and standard error.
    static func larder(_ arguments: [String]) async throws -> (Int32, String) {
        let outcome = try await ProcessRunner.run(BuiltExecutable.larder, arguments)
        return (outcome.status, outcome.stderr)
    }

    @Test func diffOverHTTPAgainstTheRealServer() async throws {
        // A real `larder serve --listen 127.0.0.1:0`; SIGKILLed at the end.
        let server = try await LarderServeProcess.start()
        defer { server.kill() }
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("runcmp-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        for (name, document) in [("a.json", try Fixtures.runA()), ("b.json", try Fixtures.runB())] {
            let path = files.appendingPathComponent(name).path
            try document.encoded().write(to: URL(fileURLWithPath: path))
            let (status, errors) = try await Self.larder(["runs", "import", path, "--server", server.url])
            try #require(status == 0, "larder runs import failed: \(errors)")
        }
        let url = try #require(URL(string: server.url))
        let source = HTTPRunSource(baseURL: url)

        #expect(try source.flows() == [FlowSummary(flow: "Whisper", runs: 2)])
        let runs = try source.runs(flow: "Whisper")
        #expect(runs.map(\.run) == ["100", "200"])
        #expect(runs.first?.start?.hasPrefix("2027-01-15T08:00:00") == true && runs.first?.tasks == 6)
        let a = try LoadedRun.load(flow: "Whisper", run: "100", from: source)
        #expect(a.document.inline?.isEmpty ?? true)
        let b = try LoadedRun.load(flow: "Whisper", run: "200", from: source)
        let overHTTP = RunComparer.compare(a, b)
        // Artifacts are fetched from the server: the same numbers as the in-memory comparison (the
        // server lists tasks in its own order and stores real SHA-256 digests, so compare per step).
        let local = try Fixtures.report()
        #expect(overHTTP.outputs.overall == local.outputs.overall)
        #expect(overHTTP.outputs.byStep.sorted { $0.key < $1.key } == local.outputs.byStep.sorted { $0.key < $1.key })
        #expect(overHTTP.outputs.differentText == 2 && overHTTP.outputs.same == 4 && overHTTP.outputs.overall?.texts == 6)
        #expect(overHTTP.timings.wall == local.timings.wall)
        #expect(overHTTP.timings.steps.sorted { $0.step < $1.step } == local.timings.steps.sorted { $0.step < $1.step })

        do {
            _ = try source.run(flow: "Whisper", run: "999")
            Issue.record("a missing run was returned")
        } catch {
            #expect("\(error)" == "GET /runs/Whisper/999 failed with HTTP 404: no tasks recorded for Whisper/999")
        }
        do {
            _ = try source.runs(flow: "Nope")
            Issue.record("a missing flow was returned")
        } catch {
            #expect("\(error)".contains("HTTP 404: no runs recorded for flow Nope"))
        }
        // One artifact by name; an unknown name is nil (404), not an error.
        let identity = try TaskIdentity(flow: "Whisper", run: "100", step: "tiny", task: "1")
        let artifact = try #require(a.document.tasks.first { $0.identity.step == "tiny" && $0.identity.task == "1" }?.artifacts.first)
        #expect(try source.artifact(task: identity, artifact: artifact).map { String(decoding: $0, as: UTF8.self) } == Fixtures.textsA[0])
        let missing = ArtifactReference(name: "nope", digest: artifact.digest, size: 1, mediaType: "text/plain")
        #expect(try source.artifact(task: identity, artifact: missing) == nil)
    }
}
