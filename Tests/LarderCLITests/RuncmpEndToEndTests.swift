import Foundation
import LarderTestSupport
import Testing

@Suite("runcmp over HTTP on runs recorded by larder run against a real larder serve")
struct RuncmpEndToEndTests {
    /// The `runcmp` binary next to `larder`.
    static var runcmp: String {
        URL(fileURLWithPath: CLI.executable).deletingLastPathComponent().appendingPathComponent("runcmp").path
    }

    static func runcmp(_ arguments: [String]) async throws -> CLI.Outcome {
        try await CLI.run(arguments, executable: runcmp)
    }

    @Test("two recorded runs are diffed: identical outputs are `same`, changed transcripts get a WER")
    func diffTwoRecordedRuns() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let outputs = [
            "A": ["v1": "the quick brown fox jumps over the lazy dog", "v2": "hello six minute english"],
            "B": ["v1": "the quick brown fox jumps over the lazy dog", "v2": "hello six minutes of english"],
        ]
        for run in ["A", "B"] {
            for (index, video) in ["v1", "v2"].enumerated() {
                let text = try #require(outputs[run]?[video])
                let result = try await CLI.run([
                    "run", "--server", server.url, "--flow", "Whisper", "--run", run, "--step", "tiny", "--task", "\(index + 1)",
                    "--input", "url=\(video)", "--cpu-request", "1", "--memory-request", "4Gi", "--spool", spool,
                    "--stdout-artifact", "transcript", "--", "sh", "-c", "printf '%s' '\(text)'",
                ])
                #expect(result.status == 0, "\(result.stderr)")
            }
        }
        let diff = try await Self.runcmp(["diff", "Whisper/A", "Whisper/B", "--server", server.url, "--format", "json", "--normalize", "none"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])
        let section = try #require(report["outputs"] as? [String: Any])
        let artifacts = try #require(section["artifacts"] as? [[String: Any]])
        let byInput = Dictionary(uniqueKeysWithValues: artifacts.compactMap { item -> (String, [String: Any])? in
            guard let input = item["input"] as? String else { return nil }
            return (input, item)
        })
        #expect(byInput.first { $0.key.contains("v1") }?.value["status"] as? String == "same")
        let changed = try #require(byInput.first { $0.key.contains("v2") }?.value)
        #expect(changed["status"] as? String == "text")
        let measures = try #require(changed["measures"] as? [String: Any])
        // Reference "hello six minute english" (4 words) vs "hello six minutes of english": 1 substitution, 1 insertion.
        #expect(abs((measures["wer"] as? Double ?? -1) - 0.5) < 1e-9)

        let gate = try await Self.runcmp(["diff", "Whisper/A", "Whisper/B", "--server", server.url, "--fail-if", "wer>0.05"])
        #expect(gate.status == 1)
        #expect((gate.stdout + gate.stderr).contains("wer>0.05"))

        let html = temporaryPath("report") + ".html"
        defer { try? FileManager.default.removeItem(atPath: html) }
        let rendered = try await Self.runcmp(["diff", "Whisper/A", "Whisper/B", "--server", server.url, "--format", "html", "-o", html])
        #expect(rendered.status == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg"))
        #expect(!page.contains("<script src"))
    }
}
