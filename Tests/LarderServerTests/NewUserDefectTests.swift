import Foundation
import Hummingbird
import LarderAPI
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import Logging
import ServiceLifecycle
import Testing
import Upstream

/// Issue 17 over HTTP: refused writes evict nothing (item 4), a failed digest check is reported clearly and not
/// transferred again (item 10), repeated POSTs say `created: false` (item 11), unknown routes and methods answer
/// JSON (item 15), and a graceful shutdown does not wait for the access-time flush (item 16).
@Suite("New-user defects (issue 17)", .timeLimit(.minutes(2)))
struct NewUserDefectTests {
    @Test("a chunked POST refused with 507 evicts nothing")
    func refusedChunkedUploadKeepsBlobs() async throws {
        let server = try await LarderTestServer.start(chunkSize: 64 * 1024) { $0.core.store.maxSize = 5 << 20 }
        defer { server.stopInBackground() }
        _ = try await server.store.put(defectBytes(2 << 20, seed: 1), pinned: true)
        let unpinnedBytes = defectBytes(2 << 20, seed: 2)
        let unpinned = try await server.store.put(unpinnedBytes)

        let file = try defectTemporaryFile(defectBytes(6 << 20, seed: 3))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let answer = try await defectCurl(["-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Expect:",
                                           "--data-binary", "@" + file, server.url("/blobs")])
        #expect(answer.status == 507, "answer: \(answer.status) \(answer.body)")

        let after = try await defectCurl([server.url("/blobs/\(unpinned.digest)")])
        #expect(after.status == 200, "the refused upload evicted the unpinned blob")
        let intact = Array(after.bodyData) == unpinnedBytes
        #expect(intact, "the unpinned blob's bytes changed")
        #expect(server.store.statistics.evictions == 0)
        #expect(server.store.statistics.blobCount == 2)
    }

    @Test("a fetch from a chunked upstream that cannot fit evicts nothing")
    func refusedChunkedFetchKeepsBlobs() async throws {
        let upstream = try await DefectChunkedUpstream.start(bytes: 6 << 20)
        defer { upstream.stop() }
        let server = try await LarderTestServer.start(chunkSize: 64 * 1024) { $0.core.store.maxSize = 5 << 20 }
        defer { server.stopInBackground() }
        _ = try await server.store.put(defectBytes(2 << 20, seed: 4), pinned: true)
        let unpinnedBytes = defectBytes(2 << 20, seed: 5)
        let unpinned = try await server.store.put(unpinnedBytes)

        let answer = try await defectCurl([server.url("/fetch?url=" + defectEscape(upstream.url))])
        #expect(answer.status != 200 || answer.exitCode != 0 || answer.bodyData.count < 6 << 20,
                "6 MiB cannot fit in a 5 MiB store, yet the fetch succeeded")
        #expect(try server.store.record(unpinned.digest) != nil, "the refused fill evicted the unpinned blob")
        let after = try await defectCurl([server.url("/blobs/\(unpinned.digest)")])
        let intact = Array(after.bodyData) == unpinnedBytes
        #expect(intact, "the unpinned blob's bytes changed")
        #expect(server.store.statistics.evictions == 0)
    }

    @Test("POST /blobs of content already stored says created: false")
    func repeatedPostIsNotCreated() async throws {
        let server = try await LarderTestServer.start(chunkSize: 64 * 1024)
        defer { server.stopInBackground() }
        let file = try defectTemporaryFile(Array("same content\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let first = try await defectCurl(["-X", "POST", "--data-binary", "@" + file, server.url("/blobs")])
        let second = try await defectCurl(["-X", "POST", "--data-binary", "@" + file, server.url("/blobs")])
        #expect(first.status == 201)
        #expect(first.json?["created"] as? Bool == true)
        #expect(second.json?["created"] as? Bool == false, "second POST answered \(second.body)")
        #expect(first.json?["digest"] as? String == second.json?["digest"] as? String)
        // Chunked (no Content-Length) takes the same path.
        let third = try await defectCurl(["-X", "POST", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file,
                                          server.url("/blobs")])
        #expect(third.json?["created"] as? Bool == false)
        #expect(server.store.statistics.blobCount == 1)
    }

    @Test("unknown paths answer 404 and wrong methods 405, both with a JSON error body")
    func unknownRoutesAnswerJSON() async throws {
        let server = try await LarderTestServer.start(chunkSize: 64 * 1024)
        defer { server.stopInBackground() }
        let missing = try await defectCurl([server.url("/nope")])
        #expect(missing.status == 404)
        #expect(missing.json?["error"] as? String == "not_found", "body: \(missing.body)")
        #expect((missing.json?["message"] as? String)?.contains("/nope") == true)
        #expect(missing.header("content-type")?.hasPrefix("application/json") == true)

        let patch = try await defectCurl(["-X", "PATCH", server.url("/blobs")])
        #expect(patch.status == 405)
        #expect(patch.json?["error"] as? String == "method_not_allowed", "body: \(patch.body)")
        #expect(patch.header("allow")?.contains("POST") == true)
        #expect(patch.header("allow")?.contains("GET") == true)

        let deleteFetch = try await defectCurl(["-X", "DELETE", server.url("/fetch?url=x")])
        #expect(deleteFetch.status == 405)
        #expect(deleteFetch.json?["error"] as? String == "method_not_allowed")

        // Errors the routes raise themselves keep their codes.
        let badDigest = try await defectCurl([server.url("/blobs/nothex")])
        #expect(badDigest.status == 400)
        #expect(badDigest.json?["error"] as? String == "invalid_digest")
    }

    @Test("a digest mismatch is remembered: the next request is told at once, without a second transfer")
    func digestMismatchIsRemembered() async throws {
        let fixture = try await UpstreamFixture.start(bigSize: 1 << 20)
        defer { fixture.stop() }
        let server = try await LarderTestServer.start(chunkSize: 64 * 1024)
        defer { server.stopInBackground() }
        let wrong = String(repeating: "ab", count: 32)
        let actual = BlobDigest(hashing: fixture.big).hex
        let path = "/fetch?url=" + defectEscape(fixture.url("/files/big.bin")) + "&sha256=" + wrong

        // The first answer started before the last byte could be checked: it is cut short.
        let first = try await defectCurl([server.url(path)])
        #expect(first.exitCode != 0 || first.status != 200, "a body that failed its digest check was delivered whole")

        let second = try await defectCurl([server.url(path)])
        #expect(second.status == 502)
        #expect(second.json?["error"] as? String == "digest_mismatch", "body: \(second.body)")
        let message = second.json?["message"] as? String ?? ""
        #expect(message.contains(wrong) && message.contains(actual), "message: \(message)")
        #expect(try fixture.requests(to: "/files/big.bin").count == 1, "the content was transferred again")
        #expect(try server.store.record(BlobDigest(hashing: fixture.big)) == nil)

        // The right digest is not affected.
        let right = try await defectCurl([server.url("/fetch?url=" + defectEscape(fixture.url("/files/big.bin")) + "&sha256=" + actual)])
        #expect(right.status == 200)
        let whole = Array(right.bodyData) == fixture.big
        #expect(whole, "the content with the right digest was not delivered whole")
    }

    @Test("a graceful shutdown does not wait for the access-time flush interval")
    func gracefulShutdownIsPrompt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-shutdown-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = try LarderTestServer.configuration(directory: directory, chunkSize: 64 * 1024)
        configuration.accessFlushInterval = .seconds(30)
        let services = try LarderServices(configuration: configuration)
        let record = try await services.store.put(Array("read me".utf8))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(configuration, services: services) { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: configuration.core.logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        // A read leaves an access time to flush at shutdown.
        let read = try await defectCurl(["http://127.0.0.1:\(port)/blobs/\(record.digest)"])
        #expect(read.status == 200)

        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        let elapsed = ContinuousClock.now - started
        // The flush interval is 30 s; a prompt shutdown takes well under a second (bound generous for loaded CI).
        #expect(elapsed < .seconds(5), "shutdown took \(elapsed)")
        let flushed = try services.store.record(record.digest)
        #expect((flushed?.lastAccess ?? 0) > record.lastAccess, "the last access time was not flushed at shutdown")
        services.store.close()
    }
}
