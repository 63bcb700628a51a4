import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

@Suite("Health, metrics and statistics")
struct OpsTests {
    @Test("healthz, readyz, metrics and stats answer and count what happened")
    func endpoints() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        #expect(try await get(server.url("/healthz")).status == 200)
        #expect(try await get(server.url("/readyz")).status == 200)
        let bytes = UpstreamFixture.randomBytes(1000)
        let record = try await server.store.put(bytes)
        _ = try await get(server.url("/blobs/\(record.digest)"))
        _ = try await get(server.url("/blobs/\(BlobDigest(hashing: [1]))"))
        let metrics = String(decoding: try await get(server.url("/metrics")).body, as: UTF8.self)
        #expect(metrics.contains("larder_cache_requests_total{result=\"hit\"} 1"))
        #expect(metrics.contains("larder_cache_requests_total{result=\"miss\"} 1"))
        #expect(metrics.contains("larder_served_bytes_total 1000"))
        #expect(metrics.contains("larder_store_bytes 1000"))
        #expect(metrics.contains("larder_fill_duration_seconds"))
        let stats = try JSONSerialization.jsonObject(with: Data(try await get(server.url("/stats")).body)) as? [String: Any]
        let store = stats?["store"] as? [String: Any]
        #expect(store?["blobCount"] as? Int == 1)
        #expect(store?["storedBytes"] as? Int == 1000)
    }
}
