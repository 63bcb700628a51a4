import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import RunModel
import Testing

/// Issue 17 items 2, 6, 12 and issue 18 items 5 and 6: artifacts, the spool, quarantine and run import checks.
@Suite("larder run: artifacts, the spool and its quarantine, against real server processes")
struct RunSpoolTests {
    static func identity(_ task: String, run: String = "1") -> [String] {
        ["--flow", "F", "--run", run, "--step", "s", "--task", task]
    }

    static func document(_ server: LarderServeProcess, _ path: String) async throws -> RunDocument {
        let shown = try await CLI.run(["runs", "show", path, "--json", "--server", server.url])
        #expect(shown.status == 0, "\(shown.stderr)")
        return try JSONDecoder().decode(RunDocument.self, from: Data(shown.stdout.utf8))
    }

    @Test("JSON and text artifacts without a media type are detected; binary stays octet-stream")
    func mediaTypesDetected() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let work = temporaryPath("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Data("plain words, no extension\n".utf8).write(to: URL(fileURLWithPath: work + "/notes"))
        try Data([0x00, 0xFF, 0x10, 0x80]).write(to: URL(fileURLWithPath: work + "/blob"))
        let result = try await CLI.run(["run", "--server", server.url] + Self.identity("1") + [
            "--stdout-artifact", "result", "--artifact", "notes=\(work)/notes", "--artifact", "blob=\(work)/blob",
            "--spool", work + "/spool", "--", "sh", "-c", #"printf '{"text": "hello world", "segments": []}\n'"#,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let record = try #require(try await Self.document(server, "F/1").tasks.first)
        let types = Dictionary(uniqueKeysWithValues: record.artifacts.map { ($0.name, $0.mediaType) })
        #expect(types == ["result": "application/json", "notes": "text/plain; charset=utf-8", "blob": "application/octet-stream"])
    }

    @Test("an artifact that is a directory is skipped with a warning; the record is sent")
    func directoryArtifactSkipped() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let work = temporaryPath("work")
        try FileManager.default.createDirectory(atPath: work + "/some/dir", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = try await CLI.run(["run", "--server", server.url] + Self.identity("1") + [
            "--artifact", "x=\(work)/some/dir", "--artifact", "gone=\(work)/missing", "--stdout-artifact", "out",
            "--spool", work + "/spool", "--", "echo", "hi",
        ])
        #expect(result.status == 0)
        #expect(result.stderr.contains("artifact x: \(work)/some/dir is a directory"), "\(result.stderr)")
        #expect(result.stderr.contains("artifact gone: \(work)/missing does not exist"), "\(result.stderr)")
        #expect(!result.stderr.contains("spooled"), "\(result.stderr)")
        let record = try #require(try await Self.document(server, "F/1").tasks.first)
        #expect(record.artifacts.map(\.name) == ["out"])
        #expect(Self.entries(in: work + "/spool").isEmpty)

        for bad in [["--artifact", "bad/name=\(work)/some"], ["--stdout-artifact", ".."]] {
            let refused = try await CLI.run(["run", "--server", server.url] + Self.identity("2") + bad + ["--", "touch", work + "/ran"])
            #expect(refused.status == 64, "\(bad)")
            #expect(refused.stderr.contains("invalid artifact name"), "\(bad): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work + "/ran"), "the command must not run")
        }
    }

    /// Spool entry directories (not the quarantine, not hidden staging).
    static func entries(in spool: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { !$0.hasPrefix(".") && $0 != "quarantine" }.sorted()
    }

    /// Spools one record per task into `spool` with the server down.
    static func spoolRecords(_ tasks: [String], spool: String) async throws {
        let down = "http://127.0.0.1:\(try RawHTTP.closedPort())"
        for task in tasks {
            let result = try await CLI.run(["run", "--server", down] + identity(task) + [
                "--stdout-artifact", "stdout", "--spool", spool, "--", "sh", "-c", "echo task \(task)",
            ])
            #expect(result.status == 0)
            #expect(result.stderr.contains("spooled"), "\(result.stderr)")
        }
    }

    /// Renames the artifact of a spooled entry to a name the server refuses.
    static func makeRejectable(_ entry: String, spool: String) throws {
        let manifest = spool + "/" + entry + "/manifest.json"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        #expect(text.contains("\"stdout\""))
        try Data(text.replacingOccurrences(of: "\"stdout\"", with: "\"bad\\/name\"").utf8).write(to: URL(fileURLWithPath: manifest))
    }

    @Test("several spooled entries go out with the next larder run, in order")
    func autoFlushOnNextRun() async throws {
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        try await Self.spoolRecords(["1", "2", "3"], spool: spool)
        #expect(Self.entries(in: spool).count == 3)

        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let next = try await CLI.run(["run", "--server", server.url] + Self.identity("4") + ["--spool", spool, "--", "true"])
        #expect(next.status == 0)
        #expect(next.stderr.isEmpty, "\(next.stderr)")
        #expect(Self.entries(in: spool).isEmpty)
        let document = try await Self.document(server, "F/1")
        #expect(Set(document.tasks.map(\.identity.task)) == ["1", "2", "3", "4"])
        for record in document.tasks where record.identity.task != "4" {
            #expect(record.artifacts.first?.digest == BlobDigest(hashing: Array("task \(record.identity.task)\n".utf8)).description)
        }
    }

    @Test("an entry the server refuses is quarantined and reported; the entries after it are sent")
    func rejectedEntryQuarantined() async throws {
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        try await Self.spoolRecords(["1", "2", "3"], spool: spool)
        let entries = Self.entries(in: spool)
        try #require(entries.count == 3)
        try Self.makeRejectable(entries[1], spool: spool)

        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let flush = try await CLI.run(["runs", "flush", "--server", server.url, "--spool", spool])
        #expect(flush.status == 1)
        #expect(flush.stdout.contains("sent 2 spooled task records, 0 remain"), "\(flush.stdout)")
        #expect(flush.stdout.contains("refused by the server"), "\(flush.stdout)")
        #expect(flush.stdout.contains("invalid_name"), "\(flush.stdout)")
        #expect(Self.entries(in: spool).isEmpty)
        let quarantined = spool + "/quarantine/" + entries[1]
        #expect(FileManager.default.fileExists(atPath: quarantined + "/record.json"))
        #expect(try String(contentsOfFile: quarantined + "/reason.txt", encoding: .utf8).contains("invalid_name"))
        #expect(Set(try await Self.document(server, "F/1").tasks.map(\.identity.task)) == ["1", "3"])

        let again = try await CLI.run(["runs", "flush", "--server", server.url, "--spool", spool])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.contains("1 task records refused earlier are kept in \(spool)/quarantine"), "\(again.stdout)")
    }

    @Test("the next larder run reports a spooled entry the server refuses, and still records its own task")
    func rejectedEntryReportedByNextRun() async throws {
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        try await Self.spoolRecords(["1"], spool: spool)
        try Self.makeRejectable(try #require(Self.entries(in: spool).first), spool: spool)
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let next = try await CLI.run(["run", "--server", server.url] + Self.identity("2") + ["--spool", spool, "--", "true"])
        #expect(next.status == 0)
        #expect(next.stderr.contains("the server refused a spooled task record"), "\(next.stderr)")
        #expect(next.stderr.contains("\(spool)/quarantine/"), "\(next.stderr)")
        #expect(try await Self.document(server, "F/1").tasks.map(\.identity.task) == ["2"])
    }

    @Test("flush says why entries stay when the server cannot be reached")
    func flushSaysWhy() async throws {
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        try await Self.spoolRecords(["1"], spool: spool)
        let flush = try await CLI.run(["runs", "flush", "--server", "http://127.0.0.1:\(try RawHTTP.closedPort())", "--spool", spool])
        #expect(flush.status == 1)
        #expect(flush.stdout.contains("0 remain") == false)
        #expect(flush.stdout.contains("1 remain"), "\(flush.stdout)")
        #expect(flush.stdout.contains("not sent: cannot reach the larder server"), "\(flush.stdout)")
    }

    @Test("a server that accepts but never answers: larder run times out and spools instead of hanging")
    func hangingServer() async throws {
        let silent = try SilentListener()
        defer { silent.stop() }
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let started = ContinuousClock.now
        let result = try await CLI.run(["run", "--server", silent.url, "--server-timeout", "2"] + Self.identity("1") + [
            "--stdout-artifact", "stdout", "--spool", spool, "--", "echo", "hi",
        ])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 0)
        #expect(result.stdout == "hi\n")
        #expect(result.stderr.contains("spooled"), "\(result.stderr)")
        #expect(Self.entries(in: spool).count == 1)
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test("runs import rejects another schema and a flow/run that disagrees with the tasks")
    func importValidation() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let spool = temporaryPath("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let recorded = try await CLI.run(["run", "--server", server.url, "--flow", "Demo", "--run", "100", "--step", "s", "--task", "1",
                                          "--spool", spool, "--", "true"])
        #expect(recorded.status == 0)
        let exported = try await CLI.run(["runs", "export", "Demo/100", "--server", server.url])
        let file = temporaryPath("run.json")
        defer { try? FileManager.default.removeItem(atPath: file) }

        func edited(_ key: String, _ value: String) throws -> Data {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any])
            object[key] = value
            return try JSONSerialization.data(withJSONObject: object)
        }
        try edited("schema", "larder.run/v2").write(to: URL(fileURLWithPath: file))
        let newer = try await CLI.run(["runs", "import", file, "--server", server.url])
        #expect(newer.status == 1)
        #expect(newer.stderr.contains("larder.run/v2"), "\(newer.stderr)")

        try edited("flow", "Mis").write(to: URL(fileURLWithPath: file))
        let disagreeing = try await CLI.run(["runs", "import", file, "--server", server.url])
        #expect(disagreeing.status == 1)
        #expect(disagreeing.stderr.contains("Mis/100"), "\(disagreeing.stderr)")
        #expect(disagreeing.stderr.contains("Demo/100"), "\(disagreeing.stderr)")
        #expect(!disagreeing.stdout.contains("imported"))
        let flows = try await CLI.run(["runs", "ls", "--server", server.url])
        #expect(!flows.stdout.contains("Mis"))
    }
}
