import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream
#if canImport(Glibc)
import Glibc
#endif

/// The store running out of room below its size limit: a full LMDB map, a full disk. Both answer 507 and leave
/// the store working.
@Suite("A full database map or disk answers 507", .upstreamFixture)
struct StorageFullTests {
    var upstream: UpstreamFixture { UpstreamFixture.current! }

    /// Uploads that do not fit get 507 with the LMDB reason; afterwards nothing is reserved or stored and a small
    /// upload still works.
    private func expectRefusedThenRecovers(_ server: LarderTestServer, size: Int, reason: String,
                                           makeRoom: () async throws -> Void = {}) async throws {
        let big = UpstreamFixture.randomBytes(size)
        let digest = BlobDigest(hashing: big)
        let refused = try await fetch(UpstreamRequest(url: server.url("/blobs/\(digest)"), method: .put, uploadData: big))
        #expect(refused.status == 507)
        #expect(refused.errorCode == "insufficient_storage")
        #expect(String(decoding: refused.body, as: UTF8.self).contains(reason), "\(String(decoding: refused.body, as: UTF8.self))")
        #expect(await eventually(timeout: .seconds(20)) { server.store.statistics.reservedBytes == 0 }, "the reservation must be released")
        #expect(try server.store.record(digest) == nil)

        try await makeRoom()
        let posted = try await fetch(UpstreamRequest(url: server.url("/blobs"), method: .post, uploadData: UpstreamFixture.randomBytes(100_000)))
        #expect(posted.status == 201, "the store must keep working: \(String(decoding: posted.body, as: UTF8.self))")
        #expect(server.store.statistics.blobCount == 1)
        #expect(try await get(server.url("/healthz")).status == 200)
    }

    @Test("MDB_MAP_FULL on upload answers 507; a fill that hits it aborts its clients and stores nothing")
    func mapFull() async throws {
        let server = try await LarderTestServer.start {
            $0.core.store.maxSize = 1 << 30
            $0.core.store.mapSizeOverride = 4 << 20
        }
        defer { Task { await server.stop() } }
        try await expectRefusedThenRecovers(server, size: 12 << 20, reason: "MDB_MAP_FULL")

        let answer = try await get(server.url(server.fetchPath(upstream.url(unique("/files/big.bin")))), keepingBodyError: true)
        #expect(answer.error != nil || answer.status == 507, "the client must see the failure")
        #expect(answer.body.count < upstream.big.count, "a full body would look like success")
        #expect(try await eventually(timeout: .seconds(20)) { try await server.metricIfPresent("larder_fills_failed_total") == 1 && server.services.fills.inFlight == 0 })
        #expect(server.store.statistics.blobCount == 1)
        #expect(server.store.statistics.reservedBytes == 0)
    }

    @Test("a full disk (a 6 MiB tmpfs under a store allowed 1 GiB) answers 507; once space is freed it stores again",
          .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func diskFull() async throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("larder-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let mounted = try await ProcessRunner.tool(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mountPoint])
        try #require(mounted.status == 0, "mount failed: \(mounted.stderr)")
        var failure: (any Error)?
        do {
            let server = try await LarderTestServer.start {
                $0.core.store.directory = mountPoint + "/data"
                $0.core.store.maxSize = 1 << 30
            }
            do {
                // LMDB reports the short write as EIO ("short write, filesystem full?").
                try await expectRefusedThenRecovers(server, size: 12 << 20, reason: "mdb_txn_commit") {
                    // The operator frees disk space: the same server, without a restart, stores again.
                    let grown = try await ProcessRunner.tool(["mount", "-o", "remount,size=64m", mountPoint])
                    try #require(grown.status == 0, "remount failed: \(grown.stderr)")
                }
            } catch {
                failure = error
            }
            await server.stop()
        } catch {
            failure = error
        }
        // Lazily: the memory map goes away with the last reference to the environment.
        _ = try await ProcessRunner.tool(["umount", "-l", mountPoint])
        if let failure { throw failure }
    }
}
