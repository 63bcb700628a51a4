import Foundation
import LarderAPI
@testable import LarderStore
import LarderTestSupport
import LMDB
import Testing
import Upstream

@Suite("Maintenance endpoints and curl uploads", .upstreamFixture)
struct AdminTests {
    var upstream: UpstreamFixture { UpstreamFixture.current! }

    private static func json(_ fetched: Fetched) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(fetched.body)) as? [String: Any]) ?? [:]
    }

    @Test("POST /admin/gc removes refs whose blob is gone and reports what it did")
    func gc() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let upstreamURL = upstream.url(unique("/files/small.bin"))
        let kept = try await server.store.put(UpstreamFixture.randomBytes(1000))
        #expect(try await get(server.url(server.fetchPath(upstreamURL))).status == 200)
        let fetched = try #require(try server.store.ref("url:" + upstreamURL))
        let deleted = try await fetch(UpstreamRequest(url: server.url("/blobs/\(fetched.digest)"), method: .delete))
        #expect(deleted.status == 204)
        #expect(try server.store.ref("url:" + upstreamURL) != nil, "deleting a blob leaves its ref dangling")

        let first = try await fetch(UpstreamRequest(url: server.url("/admin/gc"), method: .post))
        #expect(first.status == 200)
        let report = Self.json(first)
        #expect(report["danglingRefsRemoved"] as? Int == 1)
        #expect(report["evicted"] as? Int == 0)
        #expect(report["storedBytes"] as? Int == 1000)
        #expect(try server.store.ref("url:" + upstreamURL) == nil)
        #expect(try server.store.record(kept.digest) != nil)

        let second = Self.json(try await fetch(UpstreamRequest(url: server.url("/admin/gc"), method: .post)))
        #expect(second["danglingRefsRemoved"] as? Int == 0)
        #expect(try await get(server.url(server.fetchPath(upstreamURL))).header("X-Larder-Cache") == "miss",
                "with the ref gone the URL is fetched again")
    }

    @Test("POST /admin/verify re-hashes every blob and removes the corrupt ones")
    func verify() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let good = try await server.store.put(UpstreamFixture.randomBytes(300_000))
        let bad = try await server.store.put(UpstreamFixture.randomBytes(300_000))

        let clean = try await fetch(UpstreamRequest(url: server.url("/admin/verify"), method: .post))
        #expect(clean.status == 200)
        #expect(Self.json(clean)["verified"] as? Int == 2)
        #expect((Self.json(clean)["corrupt"] as? [Any])?.isEmpty == true)
        #expect(Self.json(clean)["bytesRead"] as? Int == 600_000)

        // Flip the second chunk of one blob behind the store's back (same length, other bytes).
        let store = server.store
        let chunks = store.databases.chunks
        let chunkBytes = 300_000 - store.configuration.chunkSize
        try await store.writes.perform { txn in
            try txn.put(chunks, key: StoreKeys.chunk(id: bad.id, index: 1), value: [UInt8](repeating: 0x5a, count: chunkBytes))
        }
        let found = try await fetch(UpstreamRequest(url: server.url("/admin/verify"), method: .post))
        #expect(found.status == 200)
        let report = Self.json(found)
        #expect(report["verified"] as? Int == 1)
        #expect(report["corrupt"] as? [String] == [bad.digest.description])
        #expect(try await get(server.url("/blobs/\(bad.digest)")).status == 404)
        #expect(try await get(server.url("/blobs/\(good.digest)")).status == 200)
    }

    @Test("curl with Expect: 100-continue gets 100 Continue at once and uploads the blob")
    func expectContinueWithCurl() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(3_000_000)
        let digest = BlobDigest(hashing: bytes)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("upload.bin")
        try Data(bytes).write(to: file)

        // Without the interim answer curl would wait the whole --expect100-timeout before sending the body.
        let result = try await ProcessRunner.tool([
            "curl", "-sS", "-v", "-T", file.path, "-H", "Expect: 100-continue", "--expect100-timeout", "20",
            "-o", directory.appendingPathComponent("answer.json").path, "-w", "%{http_code}",
            server.url("/blobs/\(digest)"),
        ])
        #expect(result.status == 0, "\(result.stderr.suffix(500))")
        #expect(result.stdout == "201")
        #expect(result.stderr.contains("> Expect: 100-continue"), "curl must have asked")
        #expect(result.stderr.contains("< HTTP/1.1 100 Continue"), "\(result.stderr.suffix(500))")
        #expect(try server.store.record(digest)?.size == Int64(bytes.count))
        #expect(BlobDigest(hashing: try await get(server.url("/blobs/\(digest)")).body) == digest)
    }
}
