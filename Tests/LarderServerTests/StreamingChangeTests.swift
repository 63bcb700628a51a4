import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

/// A blob that is deleted or wanted for eviction while a client streams it: the client gets every byte intact.
@Suite("DELETE and eviction while a client streams the blob")
struct StreamingChangeTests {
    /// Far more than the loopback socket buffers (receive buffers grow up to 32 MiB here: `tcp_rmem`) and the
    /// client's queue hold, so the server is still sending when the test acts.
    static let size = 64 << 20

    /// Starts a GET of `url` and reads its first block, leaving the rest unread (the server waits on the socket).
    private static func startReading(_ url: String) async throws -> (UpstreamResponse, UpstreamResponse.Iterator, [UInt8]) {
        let response = try await testHTTPClient.send(UpstreamRequest(url: url))
        var iterator = response.makeAsyncIterator()
        let first = try #require(try await iterator.next())
        return (response, iterator, first)
    }

    @Test("DELETE while streaming: 204 at once, new requests get 404, the running response completes intact")
    func deleteWhileStreaming() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(Self.size)
        let record = try await server.store.put(bytes)
        let url = server.url("/blobs/\(record.digest)")
        let (response, started, first) = try await Self.startReading(url)
        var iterator = started
        var received = first

        let deleted = try await fetch(UpstreamRequest(url: url, method: .delete))
        #expect(deleted.status == 204)
        #expect(try await get(url).status == 404)
        #expect(server.store.statistics.leasedBlobs == 1, "the running response still holds the deleted blob")

        while let block = try await iterator.next() { received += block }
        #expect(response.head.status == 200)
        #expect(received.count == bytes.count)
        #expect(BlobDigest(hashing: received) == record.digest, "the client must never get wrong bytes")
        #expect(await eventually(timeout: .seconds(20)) { server.store.statistics.leasedBlobs == 0 })
        #expect(try await eventually(timeout: .seconds(20)) { try server.store.withChunk(id: record.id, index: 0) { _ in true } == nil },
                "the deleted blob's chunks go once the response released them")
    }

    @Test("a blob being streamed is not evicted: an upload that needs its room gets 507 until the stream ends")
    func evictionWhileStreaming() async throws {
        let server = try await LarderTestServer.start { $0.core.store.maxSize = 96 << 20 }
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(Self.size)
        let record = try await server.store.put(bytes)
        let url = server.url("/blobs/\(record.digest)")
        let (response, started, first) = try await Self.startReading(url)
        var iterator = started
        var received = first

        let other = UpstreamFixture.randomBytes(40 << 20)
        let otherURL = server.url("/blobs/\(BlobDigest(hashing: other))")
        let refused = try await fetch(UpstreamRequest(url: otherURL, method: .put, uploadData: other))
        #expect(refused.status == 507)
        #expect(refused.errorCode == "insufficient_storage")
        #expect(try server.store.record(record.digest) != nil)
        #expect(server.store.statistics.evictions == 0)

        while let block = try await iterator.next() { received += block }
        #expect(response.head.status == 200)
        #expect(received.count == bytes.count)
        #expect(BlobDigest(hashing: received) == record.digest, "the client must never get wrong bytes")
        #expect(await eventually(timeout: .seconds(20)) { server.store.statistics.leasedBlobs == 0 })

        let accepted = try await fetch(UpstreamRequest(url: otherURL, method: .put, uploadData: other))
        #expect(accepted.status == 201)
        #expect(try server.store.record(record.digest) == nil, "once nobody reads it, the old blob is evicted")
        #expect(server.store.statistics.evictions == 1)
    }
}
