import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import RunModel
import Testing

@Suite("larder run and larder runs against a real server process")
struct RunCommandTests {
    @Test("a wrapped command is recorded with its exit status, inputs, stdout and artifacts")
    func recordsATask() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let work = temporaryPath("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let spool = work + "/spool"
        let outFile = work + "/transcript.txt"
        let script = "printf 'hello from the step\\n'; printf 'a transcript' > \(outFile); exit 3"
        let result = try await CLI.run([
            "run", "--server", server.url, "--flow", "SixMinVideos", "--run", "100", "--step", "tiny", "--task", "4",
            "--input", "url=https://example.org/v1", "--input", "model=tiny", "--artifact", "transcript=\(outFile)",
            "--stdout-artifact", "stdout", "--cpu-request", "500m", "--memory-request", "4Gi", "--node", "node-a",
            "--spool", spool, "--", "sh", "-c", script,
        ])
        #expect(result.status == 3)
        #expect(result.stdout == "hello from the step\n")
        let document = try JSONDecoder().decode(RunDocument.self, from: Data(try await CLI.run(["runs", "show", "SixMinVideos/100", "--json", "--server", server.url]).stdout.utf8))
        let record = try #require(document.tasks.first)
        #expect(record.exit.status == 3)
        #expect(record.input == ["url": "https://example.org/v1", "model": "tiny"])
        #expect(record.node.name == "node-a")
        #expect(record.requests.cpu == 0.5)
        #expect(record.requests.memoryBytes == 4 << 30)
        #expect(Set(record.artifacts.map(\.name)) == ["transcript", "stdout"])
        let stdoutRef = try #require(record.artifacts.first { $0.name == "stdout" })
        #expect(stdoutRef.digest == BlobDigest(hashing: Array("hello from the step\n".utf8)).description)
        let transcript = try #require(record.artifacts.first { $0.name == "transcript" })
        #expect(transcript.digest == BlobDigest(hashing: Array("a transcript".utf8)).description)
    }

    @Test("with the server down the command still succeeds; the record lands after runs flush")
    func spoolsWhenServerIsDown() async throws {
        let work = temporaryPath("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let spool = work + "/spool"
        let down = "http://127.0.0.1:\(try RawHTTP.closedPort())"
        let result = try await CLI.run([
            "run", "--server", down, "--flow", "F", "--run", "1", "--step", "s", "--task", "1", "--spool", spool,
            "--stdout-artifact", "stdout", "--", "sh", "-c", "echo spooled output",
        ])
        #expect(result.status == 0)
        #expect(result.stderr.contains("spooled"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).contains { !$0.hasPrefix(".") })

        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let flush = try await CLI.run(["runs", "flush", "--server", server.url, "--spool", spool])
        #expect(flush.status == 0, "\(flush.stderr)")
        #expect(flush.stdout.contains("sent 1"))
        let shown = try await CLI.run(["runs", "show", "F/1", "--json", "--server", server.url])
        let document = try JSONDecoder().decode(RunDocument.self, from: Data(shown.stdout.utf8))
        #expect(document.tasks.first?.artifacts.first?.digest == BlobDigest(hashing: Array("spooled output\n".utf8)).description)
    }

    @Test("export then import into another server gives the same run")
    func exportImport() async throws {
        let first = try await LarderServeProcess.start()
        defer { first.stop() }
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        for task in ["1", "2"] {
            let result = try await CLI.run([
                "run", "--server", first.url, "--flow", "F", "--run", "7", "--step", "s", "--task", task, "--input", "n=\(task)",
                "--stdout-artifact", "stdout", "--spool", spool, "--", "sh", "-c", "echo same text",
            ])
            #expect(result.status == 0)
        }
        let exported = try await CLI.run(["runs", "export", "F/7", "--server", first.url])
        #expect(exported.status == 0, "\(exported.stderr)")
        let document = try JSONDecoder().decode(RunDocument.self, from: Data(exported.stdout.utf8))
        #expect(document.inline?.values.contains("same text\n") == true)
        #expect(document.inline?.count == 1, "identical artifacts are inlined once")

        let second = try await LarderServeProcess.start()
        defer { second.stop() }
        let file = temporaryPath("run.json")
        try Data(exported.stdout.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let imported = try await CLI.run(["runs", "import", file, "--server", second.url])
        #expect(imported.status == 0, "\(imported.stderr)")
        let again = try await CLI.run(["runs", "export", "F/7", "--server", second.url])
        let reimported = try JSONDecoder().decode(RunDocument.self, from: Data(again.stdout.utf8))
        #expect(reimported.tasks == document.tasks)
        #expect(reimported.inline == document.inline)

        #expect(try await CLI.run(["runs", "rm", "F/7", "--server", second.url]).status == 0)
        let gone = try await CLI.run(["runs", "show", "F/7", "--server", second.url])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no tasks recorded"))
    }

    @Test("usage errors: missing identity, bad quantities, no command")
    func usageErrors() async throws {
        let missing = try await CLI.run(["run", "--", "true"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--flow"))
        let quantity = try await CLI.run(["run", "--flow", "F", "--run", "1", "--step", "s", "--task", "1", "--cpu-request", "lots", "--", "true"])
        #expect(quantity.status == 64)
        let noCommand = try await CLI.run(["run", "--flow", "F", "--run", "1", "--step", "s", "--task", "1"])
        #expect(noCommand.status == 64)
    }
}
