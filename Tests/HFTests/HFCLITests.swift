import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

@Suite("larder import, export and warm", .serialized, .timeLimit(.minutes(5)))
struct CLITests {
    /// A model directory with nested files, an LFS-sized `.bin` and a small JSON.
    static func modelDirectory(in scratch: Scratch) throws -> (path: String, files: [String: [UInt8]]) {
        let root = scratch.path("model")
        let files: [String: [UInt8]] = [
            "config.json": Array(#"{"hidden_size": 8}"#.utf8),
            "weights.bin": pseudoRandomBytes(2 << 20, seed: 7),
            "tokenizer/vocab.txt": Array("a\nb\nc\n".utf8),
            ".gitattributes": Array("*.bin filter=lfs diff=lfs merge=lfs -text\n".utf8),
        ]
        for (path, content) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content).write(to: url)
        }
        try FileManager.default.createDirectory(atPath: root + "/.git", withIntermediateDirectories: true)
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: root + "/.git/HEAD"))
        return (root, files)
    }

    static func checkExport(_ directory: String, _ files: [String: [UInt8]], sourceLocation: SourceLocation = #_sourceLocation) {
        for (path, content) in files {
            let written = FileManager.default.contents(atPath: directory + "/" + path).map(Array.init)
            #expect(written.map { BlobDigest(hashing: $0) } == BlobDigest(hashing: content), "\(path)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/.git"), sourceLocation: sourceLocation)
    }

    @Test func importFilePrintsItsDigest() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let data = scratch.path("data")
        let file = scratch.path("file")
        try Data("some bytes".utf8).write(to: URL(fileURLWithPath: file))
        let outcome = try await LarderCLI.run(["import", "--data", data, file])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BlobDigest(hashing: Array("some bytes".utf8)).description)
        let directory = try await LarderCLI.run(["import", "--data", data, NSTemporaryDirectory()])
        #expect(directory.status != 0 && directory.stderr.contains("--as"))
    }

    @Test func importExportRoundTripOnADataDirectory() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let (model, files) = try Self.modelDirectory(in: scratch)
        let data = scratch.path("data")
        let first = try await LarderCLI.run(["import", "--data", data, "--as", "hf://org/model", model])
        #expect(first.status == 0, "\(first.stderr)")
        let commit = try #require(first.stdout.split(separator: "@").dropFirst().first.map { String($0.prefix(40)) })
        #expect(HFRevision.isCommit(commit))
        // The same files give the same generated commit.
        let again = try await LarderCLI.run(["import", "--data", data, "--as", "hf://org/model", "--branch", "stable", model])
        #expect(again.status == 0 && again.stdout.contains(commit) && again.stdout.contains("stable"))

        let out = scratch.path("export")
        let export = try await LarderCLI.run(["export", "--data", data, "hf://org/model", out])
        #expect(export.status == 0, "\(export.stderr)")
        Self.checkExport(out, files)
        let byCommit = scratch.path("export")
        let pinned = try await LarderCLI.run(["export", "--data", data, "hf://org/model@\(commit)", byCommit, "--include", "*.json"])
        #expect(pinned.status == 0)
        #expect(FileManager.default.fileExists(atPath: byCommit + "/config.json"))
        #expect(!FileManager.default.fileExists(atPath: byCommit + "/weights.bin"))
        let missing = try await LarderCLI.run(["export", "--data", data, "hf://org/other", scratch.path("export")])
        #expect(missing.status != 0)
        let invalid = try await LarderCLI.run(["export", "--data", data, "hf://../etc", scratch.path("export")])
        #expect(invalid.status != 0)
    }

    @Test func importAndExportThroughAServer() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let (model, files) = try Self.modelDirectory(in: scratch)
        let server = try await LarderTestServer.startHF()
        try await server.use {
            let revision = String(repeating: "ab", count: 20)
            let imported = try await LarderCLI.run(["import", "--server", server.base, "--as", "hf://datasets/org/set@\(revision)", model])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("datasets/org/set@\(revision)"))
            let head = try await fetch(UpstreamRequest(url: server.url("/hf/datasets/org/set/resolve/main/weights.bin"), method: .head))
            #expect(head.header("X-Repo-Commit") == revision)
            #expect(head.header("ETag") == "\"\(BlobDigest(hashing: files["weights.bin"] ?? []).hex)\"")
            let out = scratch.path("export")
            let export = try await LarderCLI.run(["export", "--server", server.base, "hf://datasets/org/set", out, "--json"])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stdout.contains(revision))
            Self.checkExport(out, files)
            // Imported files are pinned by default.
            let record = try server.store.record(BlobDigest(hashing: files["weights.bin"] ?? []))
            #expect(record?.pinned == true)
        }
    }

    @Test func warmThroughAServer() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let hub = try await HubFixture.start(files: ProtocolTests.files)
        defer { hub.stop() }
        let server = try await LarderTestServer.startHF(upstream: hub.url)
        try await server.use {
            let away = BlobDigest(hashing: ProtocolTests.files["away.bin"] ?? []).hex
            let url = "\(hub.url)/cdn/\(away)#sha256=\(away)"

            let partial = try await LarderCLI.run(["warm", "--server", server.base, "hf://fixture/model", "--include", "*.json", url,
                                                   "hf://fixture/unknown", "--pin"])
            #expect(partial.status == 1)
            #expect(partial.stdout.contains("REFERENCE") && partial.stdout.contains("hf://fixture/model"))
            #expect(partial.stdout.contains("failed: hf://fixture/unknown"))
            #expect(try server.store.record(BlobDigest(hashing: ProtocolTests.files["config.json"] ?? []))?.pinned == true)
            #expect(try server.store.record(BlobDigest(hashing: ProtocolTests.files["away.bin"] ?? []))?.pinned == true)
            #expect(try server.store.record(BlobDigest(hashing: ProtocolTests.files["model.bin"] ?? [])) == nil)

            let refs = scratch.path("refs")
            try Data("# the model, without the file its Hub redirects elsewhere\nhf://fixture/model\n\n\(url)\n".utf8)
                .write(to: URL(fileURLWithPath: refs))
            let full = try await LarderCLI.run(["warm", "--server", server.base, "--file", refs, "--exclude", "away.bin", "--json"])
            #expect(full.status == 0, "\(full.stderr)\(full.stdout)")
            let status = try JSONDecoder().decode(WarmStatus.self, from: Data(full.stdout.utf8))
            #expect(status.state == "completed")
            #expect(status.refs.first?.files == 3)
            #expect(status.refs.first?.hits == 1 && status.refs.first?.fetched == 2)
            #expect(status.refs.last?.cacheSummary == "hit")
            #expect(try server.store.record(BlobDigest(hashing: ProtocolTests.files["model.bin"] ?? [])) != nil)
            let bad = try await LarderCLI.run(["warm", "--server", server.base, "ftp://example/x"])
            #expect(bad.status != 0)
        }
    }

    @Test func warmJobsOverHTTP() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let hub = try await HubFixture.start(files: ProtocolTests.files)
        defer { hub.stop() }
        let server = try await LarderTestServer.startHF(upstream: hub.url)
        try await server.use {
            let body = #"{"refs": [{"ref": "hf://fixture/model", "exclude": ["away.bin"]}], "pin": true}"#
            let started = try await fetch(UpstreamRequest(url: server.url("/warm"), method: .post, headers: [("Content-Type", "application/json")],
                                                          uploadData: Array(body.utf8)))
            #expect(started.status == 202)
            let id = try #require((started.json as? [String: Any])?["id"] as? String)
            #expect(started.header("Location") == "/warm/\(id)")
            var status: WarmStatus?
            for _ in 0..<200 {
                status = try JSONDecoder().decode(WarmStatus.self, from: Data(try await get(server.url("/warm/\(id)")).body))
                if status?.isFinished == true { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status?.state == "completed")
            #expect(status?.refs.first?.bytesDone == Int64(ProtocolTests.files.filter { $0.key != "away.bin" }.values.reduce(0) { $0 + $1.count }))
            #expect(status?.refs.first?.commit == hub.commit)
            let list = try await get(server.url("/warm"))
            #expect((list.json as? [[String: Any]])?.count == 1)
        }
    }

    @Test func warmOnADataDirectoryPullsFromTheHub() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let hub = try await HubFixture.start(files: ProtocolTests.files)
        defer { hub.stop() }
        let data = scratch.path("data")
        let outcome = try await LarderCLI.run(["warm", "--data", data, "--hf-upstream", hub.url, "hf://fixture/model@\(hub.commit)",
                                               "--exclude", "away.bin"])
        #expect(outcome.status == 0, "\(outcome.stderr)\(outcome.stdout)")
        #expect(outcome.stdout.contains("fetched"))
        let out = scratch.path("export")
        let export = try await LarderCLI.run(["export", "--data", data, "--hf-upstream", "http://127.0.0.1:9/", "hf://fixture/model@\(hub.commit)",
                                              out, "--exclude", "away.bin"])
        #expect(export.status == 0, "\(export.stderr)")
        Self.checkExport(out, ProtocolTests.files.filter { $0.key != "away.bin" })
    }
}

/// Paths for one test below one temporary directory, removed with ``remove()``.
final class Scratch: Sendable {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("hf-cli-\(UUID().uuidString)").path

    init() {
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// A fresh path below the root (not created).
    func path(_ name: String) -> String {
        root + "/\(name)-\(UUID().uuidString)"
    }

    /// Removes everything below the root.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
