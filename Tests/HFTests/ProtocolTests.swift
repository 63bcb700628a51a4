import Foundation
import LarderAPI
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import Testing
import Upstream

/// The resolve, revision and tree endpoints against a stand-in Hub upstream (no Python client needed).
@Suite("HF protocol against a stand-in Hub", .serialized, .timeLimit(.minutes(3)))
struct ProtocolTests {
    static let files: [String: [UInt8]] = [
        "config.json": Array(#"{"model_type": "whisper"}"#.utf8),
        "model.bin": pseudoRandomBytes(3 << 20, seed: 1),
        "away.bin": pseudoRandomBytes(1000, seed: 2),
        "sub/dir/vocab.txt": Array("hello\nworld\n".utf8),
    ]

    /// Runs `body` with a fixture Hub and a Larder pulling through from it.
    func withMirror(_ body: (HubFixture, LarderTestServer) async throws -> Void) async throws {
        let hub = try await HubFixture.start(files: Self.files)
        let larder = try await LarderTestServer.startHF(upstream: hub.url)
        do {
            try await body(hub, larder)
        } catch {
            await larder.stop()
            hub.stop()
            throw error
        }
        await larder.stop()
        hub.stop()
    }

    @Test func resolveSendsTheHeadersTheClientReads() async throws {
        try await withMirror { hub, larder in
            let base = larder.url("/hf/fixture/model/resolve/main/")
            let small = try await head(base + "config.json")
            #expect(small.status == 200)
            #expect(small.header("X-Repo-Commit") == hub.commit)
            let blobID = HFGit.blobID(of: Self.files["config.json"] ?? [])
            #expect(small.header("ETag") == "\"\(blobID)\"")
            #expect(small.header("X-Linked-Etag") == "\"\(blobID)\"")
            #expect(small.header("X-Linked-Size") == "25")
            #expect(small.header("Content-Length") == "25")
            #expect(small.header("Accept-Ranges") == "bytes")
            #expect(small.header("X-Xet-Hash") == nil && small.header("Link") == nil)

            let large = try await get(base + "model.bin")
            let sha = BlobDigest(hashing: Self.files["model.bin"] ?? []).hex
            #expect(large.status == 200)
            #expect(large.body.count == 3 << 20)
            #expect(BlobDigest(hashing: large.body).hex == sha)
            #expect(large.header("ETag") == "\"\(sha)\"")
            #expect(large.header("X-Linked-Etag") == "\"\(sha)\"")
            #expect(large.header("X-Repo-Commit") == hub.commit)
            #expect(large.header("X-Larder-Cache") == "miss")
            #expect(large.header("X-Xet-Hash") == nil && large.header("Link") == nil)

            // Served from the store now; the Hub saw one GET of the file (then its CDN redirect target).
            let again = try await get(larder.url("/hf/fixture/model/resolve/\(hub.commit)/model.bin"))
            #expect(again.header("X-Larder-Cache") == "hit")
            #expect(BlobDigest(hashing: again.body).hex == sha)
            let counts = try hub.counts()
            #expect(counts["GET /fixture/model/resolve/\(hub.commit)/model.bin"] == 1)
            #expect(counts["GET /cdn/\(sha)"] == 1)
            #expect(counts.keys.filter { $0.hasPrefix("HEAD") }.isEmpty)
        }
    }

    @Test func smallFilesAreFetchedOnceUnderConcurrency() async throws {
        try await withMirror { hub, larder in
            let url = larder.url("/hf/fixture/model/resolve/main/sub/dir/vocab.txt")
            for _ in 0..<3 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<6 {
                        group.addTask {
                            let answer = try await get(url)
                            #expect(answer.status == 200 && answer.body == ProtocolTests.files["sub/dir/vocab.txt"])
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(try hub.counts()["GET /fixture/model/resolve/\(hub.commit)/sub/dir/vocab.txt"] == 1)
        }
    }

    @Test func rangesResumeDownloads() async throws {
        try await withMirror { _, larder in
            let url = larder.url("/hf/fixture/model/resolve/main/model.bin")
            let content = Self.files["model.bin"] ?? []
            // While filling (first request) and from the store.
            for _ in 0..<2 {
                let partial = try await get(url, headers: [("Range", "bytes=1000000-")])
                #expect(partial.status == 206)
                #expect(partial.header("Content-Range") == "bytes 1000000-\(content.count - 1)/\(content.count)")
                #expect(partial.body.count == content.count - 1_000_000)
                #expect(BlobDigest(hashing: partial.body) == BlobDigest(hashing: Array(content[1_000_000...])))
                #expect(partial.header("X-Repo-Commit") != nil && partial.header("ETag") != nil)
            }
            let beyond = try await get(url, headers: [("Range", "bytes=\(content.count)-")])
            #expect(beyond.status == 416)
            #expect(beyond.header("X-Repo-Commit") != nil)
        }
    }

    @Test func errorsCarryHubErrorCodes() async throws {
        try await withMirror { hub, larder in
            let missing = try await get(larder.url("/hf/fixture/model/resolve/main/nope.json"))
            #expect(missing.status == 404)
            #expect(missing.header("X-Error-Code") == "EntryNotFound")
            #expect(missing.header("X-Repo-Commit") == hub.commit)
            #expect(missing.errorCode == "entry_not_found")
            let missingHead = try await head(larder.url("/hf/fixture/model/resolve/main/nope.json"))
            #expect(missingHead.status == 404 && missingHead.header("X-Repo-Commit") == hub.commit)

            let revision = try await get(larder.url("/hf/fixture/model/resolve/v9/config.json"))
            #expect(revision.status == 404 && revision.header("X-Error-Code") == "RevisionNotFound")
            let repo = try await get(larder.url("/hf/fixture/unknown/resolve/main/config.json"))
            #expect(repo.status == 404 && repo.header("X-Error-Code") == "RepoNotFound")
            let gated = try await get(larder.url("/hf/api/models/fixture/gated/revision/main"))
            #expect(gated.status == 401 && gated.header("X-Error-Code") == "GatedRepo")
            #expect(gated.header("X-Error-Message")?.contains("restricted") == true)
            let down = try await get(larder.url("/hf/fixture/down/resolve/main/config.json"))
            #expect(down.status == 502 && down.json != nil)
            let harness = try await get(larder.url("/hf/api/agent-harnesses"))
            #expect(harness.status == 404 && harness.json != nil)

            // A redirect to a host that is neither the upstream nor the Hub's CDN is not followed; nothing is stored.
            let away = try await get(larder.url("/hf/fixture/model/resolve/main/away.bin"))
            #expect(away.status == 403)
            #expect(away.errorCode == "redirect_not_allowed")
            #expect(try larder.store.record(BlobDigest(hashing: Self.files["away.bin"] ?? [])) == nil)
        }
    }

    @Test func revisionInfoPassesTheHubFieldsThrough() async throws {
        try await withMirror { hub, larder in
            let plain = try await get(larder.url("/hf/api/models/fixture/model/revision/main"))
            let info = try #require(plain.json as? [String: Any])
            #expect(info["sha"] as? String == hub.commit)
            #expect(info["id"] as? String == "fixture/model")
            #expect(info["pipeline_tag"] as? String == "automatic-speech-recognition")
            #expect(info["xetEnabled"] == nil)
            let siblings = try #require(info["siblings"] as? [[String: Any]])
            #expect(Set(siblings.compactMap { $0["rfilename"] as? String }) == Set(Self.files.keys))
            #expect(siblings.allSatisfy { $0["size"] == nil })

            let blobs = try await get(larder.url("/hf/api/models/fixture/model/revision/\(hub.commit)?blobs=true"))
            let detailed = try #require((blobs.json as? [String: Any])?["siblings"] as? [[String: Any]])
            let model = try #require(detailed.first { $0["rfilename"] as? String == "model.bin" })
            let lfs = try #require(model["lfs"] as? [String: Any])
            #expect(lfs["sha256"] as? String == BlobDigest(hashing: Self.files["model.bin"] ?? []).hex)
            #expect(model["size"] as? Int == 3 << 20)
            #expect(lfs["pointerSize"] as? Int == 132)
            let config = try #require(detailed.first { $0["rfilename"] as? String == "config.json" })
            #expect(config["blobId"] as? String == HFGit.blobID(of: Self.files["config.json"] ?? []))
            #expect(config["lfs"] == nil)
            // Answered from the cache: one revision look-up upstream for main, one for the commit.
            _ = try await get(larder.url("/hf/api/models/fixture/model/revision/main"))
            #expect(try hub.counts()["GET /api/models/fixture/model/revision/main"] == 1)
        }
    }

    @Test func treeListingsPaginateWithAbsoluteLinks() async throws {
        try await withMirror { hub, larder in
            var url: String? = larder.url("/hf/api/models/fixture/model/tree/main?recursive=true&expand=false&limit=2")
            var paths: [String] = []
            var pages = 0
            while let next = url {
                let page = try await get(next)
                #expect(page.status == 200)
                let entries = try #require(page.json as? [[String: Any]])
                #expect(entries.count <= 2)
                paths += entries.compactMap { $0["path"] as? String }
                #expect(entries.allSatisfy { $0["xetHash"] == nil })
                url = page.header("Link").flatMap { link in
                    guard let start = link.firstIndex(of: "<"), let end = link.firstIndex(of: ">") else { return nil }
                    return String(link[link.index(after: start)..<end])
                }
                if let url { #expect(url.hasPrefix(larder.base) && url.contains(hub.commit)) }
                pages += 1
            }
            #expect(pages == 3)
            #expect(paths == ["away.bin", "config.json", "model.bin", "sub", "sub/dir", "sub/dir/vocab.txt"])
            let sub = try await get(larder.url("/hf/api/models/fixture/model/tree/main/sub%2Fdir"))
            #expect((sub.json as? [[String: Any]])?.compactMap { $0["path"] as? String } == ["sub/dir/vocab.txt"])
            let notDirectory = try await get(larder.url("/hf/api/models/fixture/model/tree/main/config.json"))
            #expect(notDirectory.status == 404)
        }
    }

    @Test func pathsInfoListsExistingEntries() async throws {
        try await withMirror { _, larder in
            let body = Array("paths=config.json&paths=sub&paths=missing&expand=false".utf8)
            let answer = try await fetch(UpstreamRequest(url: larder.url("/hf/api/models/fixture/model/paths-info/main"), method: .post,
                                                         headers: [("Content-Type", "application/x-www-form-urlencoded")], uploadData: body))
            let entries = try #require(answer.json as? [[String: Any]])
            #expect(entries.compactMap { $0["path"] as? String } == ["config.json", "sub"])
            #expect(entries.compactMap { $0["type"] as? String } == ["file", "directory"])
        }
    }
}
