import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

extension FaultSuite {
    @Suite("A store full of pinned data: unpinned evicted, pinned kept, what cannot fit refused with 507 up front")
    struct FullStore {
        @Test("pinned data fills 6 of 8 MiB; uploads evict the unpinned; a 3 MiB upload gets 507 before any byte is kept")
        func pinnedFillsTheStore() async throws {
            let tally = FaultTally("store full of pinned data")
            defer { tally.finish() }
            let upstream = try await UpstreamFixture.start(bigSize: 3 << 20)
            defer { upstream.stop() }
            let server = try await LarderServeProcess.start(extraArguments: ["--max-size", "8MiB", "--chunk-size", "256KiB",
                                                                             "--allow-upstream", "127.0.0.1"])
            defer { server.kill() }
            var pinned = Acknowledged()
            for index in 0..<6 {
                let bytes = seededBytes(1 << 20, seed: 600 + UInt64(index))
                let digest = BlobDigest(hashing: bytes)
                tally.request(2)
                try #require(await put("\(server.url)/blobs/\(digest)", bytes).status == 201)
                let pin = await send(UpstreamRequest(url: "\(server.url)/blobs/\(digest)/pin", method: .put))
                try #require((200..<300).contains(pin.status), "pin: \(pin.status)")
                pinned.blobs.append((digest, bytes))
            }
            // Unpinned uploads, each 1 MiB: only two fit beside the pinned data, so each later one evicts the oldest.
            var unpinned: [(BlobDigest, [UInt8])] = []
            for index in 0..<5 {
                let bytes = seededBytes(1 << 20, seed: 700 + UInt64(index))
                let digest = BlobDigest(hashing: bytes)
                let reply = await put("\(server.url)/blobs/\(digest)", bytes)
                tally.request()
                #expect(reply.status == 201, "unpinned upload \(index): \(reply.status) \(reply.text.prefix(200))")
                unpinned.append((digest, bytes))
            }
            #expect((await server.storeStatistic("evictions") ?? 0) >= 3)

            // A write that cannot fit even after evicting every unpinned blob: 507 at once, from the headers alone.
            tally.fault()
            tally.request()
            let big = seededBytes(3 << 20, seed: 800)
            let bigDigest = BlobDigest(hashing: big)
            let head = "PUT /blobs/\(bigDigest) HTTP/1.1\r\nHost: x\r\nContent-Length: \(big.count)\r\nConnection: close\r\n\r\n"
            let answer = try await RawExchange.send(port: server.port, Array(head.utf8), quietSeconds: 10)
            #expect(answer.status == 507, "\(answer.text.prefix(300))")
            #expect(answer.text.contains("insufficient_storage"), "\(answer.text.prefix(300))")
            #expect(await server.storeStatistic("reservedBytes") == 0)
            // The same write with its body, through a real client: refused alike, nothing kept, nothing pinned evicted.
            let whole = await put("\(server.url)/blobs/\(bigDigest)", big)
            tally.request()
            #expect(whole.status == 507, "\(whole.status)")
            tally.request()
            #expect(await get("\(server.url)/blobs/\(bigDigest)").status == 404)
            // A fill that cannot fit: the upstream announces 3 MiB, so the answer is 507 before any byte is stored.
            let fill = await get("\(server.url)/fetch?url=\(queryValue(upstream.url("/files/big.bin")))")
            tally.fault()
            tally.request()
            #expect(fill.status == 507, "\(fill.status) \(fill.text.prefix(200))")
            #expect(fill.errorCode == "insufficient_storage", "\(fill.text.prefix(200))")
            #expect(await server.storeStatistic("reservedBytes") == 0)
            #expect(await server.storeStatistic("pinnedBytes") == 6 << 20)
            #expect((await server.storeStatistic("storedBytes") ?? .max) <= 8 << 20)
            await pinned.check(on: server, tally: tally)
            // The newest unpinned upload is kept; an evicted one is gone, never half there.
            for (index, (digest, bytes)) in unpinned.enumerated() {
                let reply = await get("\(server.url)/blobs/\(digest)")
                tally.request()
                if index == unpinned.count - 1 { #expect(reply.status == 200) }
                if reply.status != 404 { expectCorrect(reply, is: bytes, tally: tally) }
            }
            #expect(await server.isHealthy())
        }
    }
}
