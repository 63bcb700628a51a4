import Foundation
import LarderTestSupport
import Testing

@Suite("runcmp over HTTP on runs recorded by larder run against a real larder serve")
struct RuncmpEndToEndTests {
    /// The `runcmp` binary next to `larder`.
    static var runcmp: String {
        BuiltExecutable.path("runcmp")
    }

    static func runcmp(_ arguments: [String]) async throws -> ProcessOutcome {
        try await CLI.run(arguments, executable: runcmp)
    }

    @Test("two recorded runs are diffed: identical outputs are `same`, changed transcripts get a WER")
    func diffTwoRecordedRuns() async throws {
        let server = try await LarderServeProcess.start()
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

    @Test("model against model inside one recorded run: selectors, JSON stdout transcripts, identical outputs pass the WER gate")
    func selectorsAndJSONTranscripts() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let texts = ["tiny": ["v1": "one two three four five six seven eight nine ten", "v2": "hello six minute english"],
                     "large": ["v1": "one two three four five six seven eight nine ten", "v2": "hello six minutes english"]]
        var task = 0
        for model in ["tiny", "large"] {
            for video in ["v1", "v2"] {
                task += 1
                let text = try #require(texts[model]?[video])
                // A Whisper-style JSON result on standard output (the README's Metaflow pattern).
                let json = #"{"text": "\#(text)", "segments": [{"id": 0, "text": "\#(text)"}]}"#
                let result = try await CLI.run([
                    "run", "--server", server.url, "--flow", "Whisper", "--run", "7", "--step", "transcribe", "--task", "\(task)",
                    "--input", "model=\(model)", "--input", "url=\(video)", "--spool", spool,
                    "--stdout-artifact", "result", "--", "sh", "-c", "printf '%s' '\(json)'",
                ])
                #expect(result.status == 0, "\(result.stderr)")
            }
        }
        let diff = try await Self.runcmp(["diff", "Whisper/7[model=tiny]", "Whisper/7[model=large]", "--server", server.url])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.contains("A = Whisper/7[model=tiny]  vs  B = Whisper/7[model=large]"), "\(diff.stdout)")
        #expect(diff.stdout.contains("TRADE-OFF"))
        // The issue's example: one identical 10-word transcript, one differing in 1 word of 4 → 1/14.
        #expect(diff.stdout.range(of: #"all\s+2\s+1\s+7\.1%"#, options: .regularExpression) != nil, "\(diff.stdout)")
        #expect(!diff.stdout.contains("binar") || diff.stdout.contains("0 binaries differ"))

        let typo = try await Self.runcmp(["diff", "Whisper/7[modle=tiny]", "Whisper/7[model=large]", "--server", server.url])
        #expect(typo.status == 2)
        #expect(typo.stderr == "runcmp: Whisper/7 has no input key \"modle\"; available keys: step, task, model, url\n")

        // Every text identical: WER 0, the README's CI gate passes.
        let same = try await Self.runcmp(["diff", "Whisper/7[model=tiny]", "Whisper/7[model=tiny]", "--server", server.url,
                                          "--fail-if", "wer>0.05", "--fail-if", "wer>5%"])
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test("bad output paths, bad documents and non-finite thresholds give one plain sentence")
    func plainErrors() async throws {
        let directory = temporaryPath("runcmp-errors")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let exported = directory + "/a.json"
        try Data(#"{"schema": "larder.run/v1", "flow": "F", "run": "1", "tasks": []}"#.utf8).write(to: URL(fileURLWithPath: exported))
        let empty = directory + "/{}.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: empty))

        let cases: [([String], String)] = [
            (["diff", exported, exported, "-o", "/proc/version"], "runcmp: cannot write the report to /proc/version"),
            (["diff", exported, exported, "-o", directory], "runcmp: cannot write the report to \(directory): it is a directory"),
            (["diff", empty, exported], "runcmp: invalid run document: \(empty): the field \"flow\" is missing"),
            (["diff", directory + "/nope.json", exported], "runcmp: \(directory)/nope.json does not exist"),
            (["diff", exported, exported, "--fail-if", "wall>nan"], "runcmp: invalid --fail-if rule: \"nan\" in \"wall>nan\" is not a finite number"),
            (["diff", exported, exported, "--fail-if", "wall>+inf%"], "runcmp: invalid --fail-if rule: \"+inf\" in \"wall>+inf%\" is not a finite number"),
        ]
        for (arguments, prefix) in cases {
            let outcome = try await Self.runcmp(arguments)
            #expect(outcome.status == 2, "\(arguments)")
            #expect(outcome.stderr.hasPrefix(prefix), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
            for raw in ["NSCocoaErrorDomain", "UserInfo", "DecodingError", "keyNotFound", "CodingKeys"] {
                #expect(!outcome.stderr.contains(raw), "\(arguments): \(outcome.stderr)")
            }
        }
        // Empty runs: no 1970 start date.
        let emptyDiff = try await Self.runcmp(["diff", exported, exported])
        #expect(emptyDiff.status == 0)
        #expect(!emptyDiff.stdout.contains("1970") && emptyDiff.stdout.contains("A: no tasks recorded"))
    }
}
