import Foundation
import LarderTestSupport
import Testing

/// `larder run --input-file`: the inputs a command writes while it runs (how `@larder` records a Metaflow task's
/// foreach values, which only the task process knows) are added to the record; a malformed or missing file adds
/// nothing and never fails the command.
@Suite(.serialized)
struct RunInputFileTests {
    /// Runs `larder run … --input-file <dir>/inputs.json -- sh -c script` against `server` and returns the record's
    /// `input` object and the outcome.
    static func record(_ script: String, task: String, server: LarderServeProcess) async throws -> ([String: String]?, ProcessOutcome) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("input-file-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try await ProcessRunner.run(
            BuiltExecutable.larder,
            ["run", "--server", server.url, "--spool", directory + "/spool", "--flow", "F", "--run", "1", "--step", "s",
             "--task", task, "--input", "given=yes", "--input-file", directory + "/inputs.json", "--",
             "/bin/sh", "-c", script.replacingOccurrences(of: "$FILE", with: directory + "/inputs.json")],
            unsetting: ["LARDER_*"], timeout: .seconds(120))
        let fetched = try await get("\(server.url)/runs/F/1/s/\(task)/record")
        let input = (fetched.json as? [String: Any])?["input"] as? [String: String]
        return (input, outcome)
    }

    @Test("inputs written by the command are merged into the record's input")
    func written() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let (input, outcome) = try await Self.record(#"printf '{"videos": "a.wav", "given": "from-file"}' > $FILE"#,
                                                     task: "1", server: server)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(input == ["videos": "a.wav", "given": "from-file"])
    }

    @Test("a malformed or missing input file adds nothing and the command's status is kept")
    func malformedOrMissing() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let (malformed, bad) = try await Self.record("echo not-json > $FILE; exit 3", task: "2", server: server)
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("is not a JSON object of strings"))
        #expect(malformed == ["given": "yes"])
        let (missing, none) = try await Self.record("true", task: "3", server: server)
        #expect(none.status == 0, "\(none.stderr)")
        #expect(missing == ["given": "yes"])
    }
}
