import Foundation
import LarderTestSupport
import Testing

/// The Metaflow integration end to end (issue 16): the real Whisper flow (`tools/metaflow/examples/whisper_flow.py`)
/// under Metaflow's local runtime with the `@larder` extension, the importer and `runcmp`, against a real
/// `larder serve`. The checks themselves live in `tools/metaflow/tests/story_check.py` (they drive Metaflow's
/// Python client); each test here starts the server with the shared kit, runs one scenario and fails with the
/// script's report. The server's Hub upstream is a closed port, so every model must come from `larder import`.
@Suite(.serialized)
struct MetaflowStoryTests {
    /// The venv's python (`tools/metaflow/venv.sh`, prepared by tools/test.sh). Fails, never skips, when missing.
    static func python() throws -> String {
        let script = BuiltExecutable.repositoryRoot.appendingPathComponent("tools/metaflow/venv.sh").path
        let result = try ProcessRunner.runBlocking(script, ["--check", "--print-python"], timeout: .seconds(120))
        let python = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, FileManager.default.isExecutableFile(atPath: python) else {
            throw FixtureError("""
                The Metaflow venv is not prepared; run tools/test.sh (or tools/metaflow/venv.sh). These tests need it \
                and do not skip. \(result.stderr.suffix(2000))
                """)
        }
        return python
    }

    /// Runs `story_check.py <scenario>` against a fresh server and returns its outcome.
    static func runScenario(_ scenario: String, extra: [String] = []) async throws -> ProcessOutcome {
        let python = try python()
        let server = try await LarderServeProcess.start(extraArguments: ["--hf-upstream", "http://127.0.0.1:9"])
        defer { server.stop() }
        let script = BuiltExecutable.repositoryRoot.appendingPathComponent("tools/metaflow/tests/story_check.py").path
        return try await ProcessRunner.run(
            python, [script, scenario, "--server", server.url, "--larder", BuiltExecutable.larder] + extra,
            unsetting: ["LARDER_*", "HF_*", "METAFLOW_*"], timeout: .seconds(900))
    }

    @Test("the extension's command lines, requests, inputs and fallbacks (tools/metaflow/tests/test_extension.py)")
    func extensionUnits() async throws {
        let tests = BuiltExecutable.repositoryRoot.appendingPathComponent("tools/metaflow/tests").path
        let outcome = try await ProcessRunner.run(
            try Self.python(), ["-m", "unittest", "discover", "-v", "-s", tests, "-p", "test_extension.py"],
            unsetting: ["LARDER_*", "METAFLOW_*"], timeout: .seconds(300))
        #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr.suffix(12000))")
        #expect(outcome.stderr.contains("OK"))
    }

    @Test("@larder records every task of the Whisper flow; a plain run imports and matches it by input")
    func recordedAndImported() async throws {
        let outcome = try await Self.runScenario("recorded-imported", extra: ["--runcmp", BuiltExecutable.path("runcmp")])
        #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr.suffix(12000))")
        #expect(outcome.stdout.contains("all checks passed"))
    }

    @Test("@larder with the recording server down (spooled, flushed later) or no larder at all: the flow succeeds")
    func serverDown() async throws {
        let outcome = try await Self.runScenario("server-down")
        #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr.suffix(12000))")
        #expect(outcome.stdout.contains("all checks passed"))
    }
}
