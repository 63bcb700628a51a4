import LarderTestSupport
import Foundation
import LarderAPI
@testable import LarderStore
import LMDB
import Testing

@Suite("Blob store: refs, gc, verify and locking")
struct MaintenanceTests {
    @Test("refs: set, get, overwrite, remove and prefix listing in name order")
    func refs() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration())
        defer { store.close() }
        let a = try await store.put(pseudoRandomBytes(100, seed: 1))
        let b = try await store.put(pseudoRandomBytes(200, seed: 2))

        #expect(try store.ref("hf:org/model/config.json") == nil)
        try await store.setRef("hf:org/model/config.json", RefRecord(digest: a.digest, attributes: ["etag": "\"v1\""]))
        try await store.setRef("hf:org/model/weights.bin", RefRecord(digest: b.digest))
        try await store.setRef("hf:org/a-model/x", RefRecord(digest: b.digest))
        try await store.setRef("hf:orgz/model/x", RefRecord(digest: a.digest))
        try await store.setRef("oci:registry/image:tag", RefRecord(digest: a.digest, attributes: ["content-type": "application/json"]))

        let config = try #require(try store.ref("hf:org/model/config.json"))
        #expect(config.digest == a.digest)
        #expect(config.attributes == ["etag": "\"v1\""])
        #expect(abs(config.updated - Date().timeIntervalSince1970) < 60)

        #expect(try store.refs(prefix: "hf:org/").map(\.name) == ["hf:org/a-model/x", "hf:org/model/config.json", "hf:org/model/weights.bin"])
        #expect(try store.refs(prefix: "hf:org/model/").map(\.ref.digest) == [a.digest, b.digest])
        #expect(try store.refs(prefix: "oci:").map(\.ref.attributes) == [["content-type": "application/json"]])
        #expect(try store.refs(prefix: "zzz").isEmpty)
        #expect(try store.refs().map(\.name) == [
            "hf:org/a-model/x", "hf:org/model/config.json", "hf:org/model/weights.bin", "hf:orgz/model/x", "oci:registry/image:tag",
        ])

        // Overwriting replaces the target and attributes.
        try await store.setRef("hf:org/model/config.json", RefRecord(digest: b.digest, attributes: ["etag": "\"v2\""]))
        #expect(try store.ref("hf:org/model/config.json")?.digest == b.digest)
        #expect(try store.ref("hf:org/model/config.json")?.attributes == ["etag": "\"v2\""])
        #expect(try store.refs().count == 5)

        #expect(try await store.removeRef("hf:org/model/weights.bin"))
        #expect(try await store.removeRef("hf:org/model/weights.bin") == false)
        #expect(try store.ref("hf:org/model/weights.bin") == nil)
        #expect(try store.refs(prefix: "hf:org/").map(\.name) == ["hf:org/a-model/x", "hf:org/model/config.json"])
    }

    @Test("gc removes refs whose blob is gone and keeps the others")
    func gcRemovesDanglingRefs() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration())
        defer { store.close() }
        let kept = try await store.put(pseudoRandomBytes(300, seed: 3))
        let gone = try await store.put(pseudoRandomBytes(400, seed: 4))
        try await store.setRef("url:kept", RefRecord(digest: kept.digest))
        try await store.setRef("url:gone-1", RefRecord(digest: gone.digest))
        try await store.setRef("url:gone-2", RefRecord(digest: gone.digest))
        try await store.setRef("url:never", RefRecord(digest: BlobDigest(hashing: [0])))
        #expect(try await store.delete(gone.digest))

        let report = try await store.gc()
        #expect(report.danglingRefsRemoved == 3)
        #expect(report.evicted == 0)
        #expect(report.storedBytes == kept.size)
        #expect(try store.refs().map(\.name) == ["url:kept"])
        #expect(try readBack(store, kept.digest) == pseudoRandomBytes(300, seed: 3))

        let again = try await store.gc()
        #expect(again.danglingRefsRemoved == 0)
        #expect(try store.refs().map(\.name) == ["url:kept"])
    }

    @Test("gc evicts down to a lowered size limit, least recently used first")
    func gcEvictsToLimit() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration(maxSize: 100_000))
        var records: [BlobRecord] = []
        for seed in 0..<4 as Range<UInt64> {
            records.append(try await store!.put(pseudoRandomBytes(20_000, seed: 80 + seed)))
            try await Task.sleep(for: .milliseconds(5))
        }
        await closeAndRelease(&store)

        let smaller = try BlobStore(dir.configuration(maxSize: 45_000))
        defer { smaller.close() }
        #expect(smaller.statistics.storedBytes == 80_000)
        let report = try await smaller.gc()
        #expect(report.evicted == 2)
        #expect(report.storedBytes == 40_000)
        #expect(try Set(smaller.list().map(\.digest)) == [records[2].digest, records[3].digest])
        #expect(smaller.statistics.reservedBytes == 0)
    }

    @Test("verify finds chunks changed, missing or cut short on disk, removes those blobs and keeps the intact ones")
    func verifyFindsCorruption() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let chunk = 4096
        let contents: [[UInt8]] = [
            pseudoRandomBytes(3 * chunk + 100, seed: 90), // 0: a chunk overwritten with other bytes
            pseudoRandomBytes(2 * chunk, seed: 91),       // 1: intact
            [],                                           // 2: intact, empty
            pseudoRandomBytes(3 * chunk, seed: 92),       // 3: a chunk missing
            pseudoRandomBytes(2 * chunk + 1, seed: 93),   // 4: the last chunk cut short
            pseudoRandomBytes(chunk + 7, seed: 94),       // 5: intact
        ]
        var store: BlobStore? = try BlobStore(dir.configuration(chunkSize: chunk))
        var records: [BlobRecord] = []
        for bytes in contents { records.append(try await store!.put(bytes)) }
        let clean = try await store!.verify()
        #expect(clean.verified == contents.count)
        #expect(clean.corrupt.isEmpty)
        #expect(clean.bytesRead == Int64(contents.reduce(0) { $0 + $1.count }))
        await closeAndRelease(&store)

        try withRawStore(dir) { raw throws in
            let original = try #require(try raw.chunk(id: records[0].id, index: 1))
            #expect(original == Array(contents[0][chunk..<2 * chunk]))
            var changed = original
            changed[17] ^= 0x01
            try raw.putChunk(id: records[0].id, index: 1, changed)
            try raw.deleteChunk(id: records[3].id, index: 2)
            try raw.putChunk(id: records[4].id, index: 2, [])
        }

        let reopened = try BlobStore(dir.configuration(chunkSize: chunk))
        defer { reopened.close() }
        let report = try await reopened.verify()
        #expect(Set(report.corrupt) == [records[0].digest, records[3].digest, records[4].digest])
        #expect(report.corrupt.count == 3)
        #expect(report.verified == 3)
        for index in [0, 3, 4] {
            #expect(try reopened.record(records[index].digest) == nil)
            #expect(try !hasAnyChunk(reopened, id: records[index].id))
        }
        for index in [1, 2, 5] {
            #expect(try readBack(reopened, records[index].digest) == contents[index])
        }
        #expect(reopened.statistics.storedBytes == Int64(contents[1].count + contents[2].count + contents[5].count))
        #expect(reopened.statistics.blobCount == 3)

        let second = try await reopened.verify()
        #expect(second.corrupt.isEmpty)
        #expect(second.verified == 3)
    }

    @Test("a second exclusive open of the same directory fails with StoreError.locked until the first is closed")
    func exclusiveLock() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var first: BlobStore? = try BlobStore(dir.configuration(exclusive: true))
        var caught: (any Error)?
        do {
            let second = try BlobStore(dir.configuration(exclusive: true))
            second.close()
        } catch {
            caught = error
        }
        let error = try #require(caught as? StoreError, "the second open succeeded or failed otherwise: \(String(describing: caught))")
        guard case .locked = error else {
            Issue.record("expected StoreError.locked, got \(error)")
            return
        }
        // The first store is unharmed.
        let record = try await first!.put([1, 2, 3])
        #expect(try readBack(first!, record.digest) == [1, 2, 3])

        await closeAndRelease(&first)
        let again = try BlobStore(dir.configuration(exclusive: true))
        defer { again.close() }
        #expect(try again.list().map(\.ignoringAccess) == [record.ignoringAccess])
    }
}
