import Foundation
import LarderAPI
@testable import LarderStore
import LarderTestSupport
import LMDB
import Testing

@Suite("Blob store: writing and reading")
struct BlobStoreWritingTests {
    static let chunk = 4096

    @Test("put then read back every chunk", arguments: [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17, 10 * chunk])
    func roundTrip(size: Int) async throws {
        let dir = try TestDirectory("roundTrip\(size)")
        defer { dir.remove() }
        let bytes = pseudoRandomBytes(size, seed: UInt64(size))
        let digest = BlobDigest(hashing: bytes)
        var store: BlobStore? = try BlobStore(dir.configuration())

        let record = try await store!.put(bytes, expected: digest, mediaType: "application/x-test", source: "https://example.test/\(size)")
        #expect(record.digest == digest)
        #expect(record.size == Int64(size))
        #expect(record.chunkSize == Self.chunk)
        #expect(record.chunkCount == (size + Self.chunk - 1) / Self.chunk)
        #expect(record.mediaType == "application/x-test")
        #expect(record.source == "https://example.test/\(size)")
        #expect(!record.pinned)
        #expect(try store!.record(digest) == record)

        let read = try #require(try readBack(store!, digest))
        #expect(read.count == size)
        #expect(read == bytes)
        #expect(BlobDigest(hashing: read) == digest)

        let stats = store!.statistics
        #expect(stats.storedBytes == Int64(size))
        #expect(stats.blobCount == 1)
        #expect(stats.reservedBytes == 0)
        #expect(stats.leasedBlobs == 0)
        #expect(try store!.list() == [record])

        // After closing and reopening: same record, same bytes, totals recomputed.
        await closeAndRelease(&store)
        let chunkCounts = try withRawStore(dir) { try $0.chunkCounts() }
        #expect(chunkCounts == (record.chunkCount == 0 ? [:] : [record.id: record.chunkCount]))
        let reopened = try BlobStore(dir.configuration())
        defer { reopened.close() }
        #expect(try reopened.record(digest)?.ignoringAccess == record.ignoringAccess)
        #expect(try readBack(reopened, digest) == bytes)
        #expect(reopened.statistics.storedBytes == Int64(size))
        #expect(reopened.statistics.blobCount == 1)
    }

    @Test("a streamed write of unknown size, appended in uneven pieces and through buffer/drain, reads back exactly")
    func streamedWrite() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration())
        defer { store.close() }
        let pieces = [1000, 5000, 1, 9000, 4096, 0, 3].enumerated().map { pseudoRandomBytes($0.element, seed: UInt64(100 + $0.offset)) }
        let all = pieces.flatMap { $0 }
        let writer = try await store.makeWriter(mediaType: "text/plain", source: "upload")
        for (n, piece) in pieces.enumerated() {
            if n.isMultiple(of: 2) {
                try await writer.append(piece)
            } else {
                piece.withUnsafeBytes { writer.buffer($0) }
                try await writer.drain()
            }
        }
        let record = try await writer.finish(expectedSize: Int64(all.count))
        #expect(writer.committedBytes == Int64(all.count))
        #expect(record.digest == BlobDigest(hashing: all))
        #expect(record.size == Int64(all.count))
        #expect(record.mediaType == "text/plain")
        #expect(record.source == "upload")
        #expect(try readBack(store, record.digest) == all)
        #expect(store.statistics.storedBytes == Int64(all.count))
        // The reservation taken while the size was unknown is returned at publish.
        #expect(store.statistics.reservedBytes == 0)
    }

    @Test("put with the wrong expected digest throws digestMismatch and stores nothing")
    func digestMismatch() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration())
        let keep = try await store!.put(pseudoRandomBytes(5000, seed: 1))
        let before = store!.statistics

        let bytes = pseudoRandomBytes(3 * 4096 + 5, seed: 2)
        let actual = BlobDigest(hashing: bytes)
        let wrong = BlobDigest(hashing: [1, 2, 3])
        await #expect(throws: StoreError.digestMismatch(expected: wrong, actual: actual)) {
            try await store!.put(bytes, expected: wrong)
        }
        #expect(try store!.record(actual) == nil)
        #expect(try store!.record(wrong) == nil)
        #expect(try store!.open(actual) == nil)
        #expect(try store!.list() == [keep])
        #expect(store!.statistics.storedBytes == before.storedBytes)
        #expect(store!.statistics.blobCount == 1)
        #expect(await eventually { store!.statistics.reservedBytes == 0 })

        await closeAndRelease(&store)
        // No chunks of the rejected write remain, and no pending entries.
        try withRawStore(dir) { raw throws in
            #expect(try raw.chunkCounts() == [keep.id: keep.chunkCount])
            #expect(try raw.keys("pending").isEmpty)
        }
        let reopened = try BlobStore(dir.configuration())
        defer { reopened.close() }
        #expect(try reopened.list() == [keep])
        #expect(reopened.statistics.storedBytes == keep.size)
    }

    @Test("finish(expectedSize:) with a different byte count throws sizeMismatch and stores nothing")
    func sizeMismatch() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration())
        defer { store.close() }

        let long = pseudoRandomBytes(10_000, seed: 3)
        let writer = try await store.makeWriter(expectedSize: 8000)
        try await writer.append(long)
        await #expect(throws: StoreError.sizeMismatch(expected: 8000, actual: 10_000)) {
            try await writer.finish(expectedSize: 8000)
        }

        let short = pseudoRandomBytes(100, seed: 4)
        let writer2 = try await store.makeWriter()
        try await writer2.append(short)
        await #expect(throws: StoreError.sizeMismatch(expected: 101, actual: 100)) {
            try await writer2.finish(expectedSize: 101)
        }

        #expect(try store.record(BlobDigest(hashing: long)) == nil)
        #expect(try store.record(BlobDigest(hashing: short)) == nil)
        #expect(try store.list().isEmpty)
        #expect(store.statistics.storedBytes == 0)
        #expect(await eventually { store.statistics.reservedBytes == 0 })
        #expect(try await eventually { try !hasAnyChunk(store, id: writer.id) && !(try hasAnyChunk(store, id: writer2.id)) })
    }

    @Test("putting the same content twice stores one blob and counts its bytes once")
    func idempotentPut() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration())
        let bytes = pseudoRandomBytes(2 * 4096 + 100, seed: 5)
        let first = try await store!.put(bytes, source: "first")
        let second = try await store!.put(bytes, source: "second")
        // The second write is discarded in favour of the blob already stored.
        #expect(second == first)
        #expect(try store!.list() == [first])
        #expect(store!.statistics.storedBytes == Int64(bytes.count))
        #expect(store!.statistics.blobCount == 1)
        #expect(store!.statistics.reservedBytes == 0)
        #expect(try readBack(store!, first.digest) == bytes)

        await closeAndRelease(&store)
        try withRawStore(dir) { raw throws in
            #expect(try raw.chunkCounts() == [first.id: first.chunkCount])
            #expect(try raw.keys("meta").count == 1)
        }
    }

    @Test("several readers read a big blob chunk by chunk while another task writes other blobs")
    func concurrentReadersAndWriter() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration(chunkSize: 8192))
        defer { store.close() }
        let big = pseudoRandomBytes(2 << 20, seed: 6)
        let bigRecord = try await store.put(big)

        let written: [BlobRecord] = try await withThrowingTaskGroup(of: [BlobRecord].self) { group in
            for reader in 0..<4 {
                group.addTask {
                    for _ in 0..<2 {
                        let handle = try #require(try store.open(bigRecord.digest))
                        defer { handle.release() }
                        // Readers start at different chunks and wrap around.
                        let count = handle.record.chunkCount
                        for step in 0..<count {
                            let index = (step + reader * count / 4) % count
                            let range = handle.record.chunkRange(index)
                            let same = try handle.withChunk(index) { bytes in
                                bytes.elementsEqual(big[Int(range.lowerBound)..<Int(range.upperBound)])
                            }
                            #expect(same == true, "reader \(reader) chunk \(index)")
                            if step % 32 == 0 { await Task.yield() }
                        }
                    }
                    return []
                }
            }
            group.addTask {
                var records: [BlobRecord] = []
                for n in 0..<20 {
                    records.append(try await store.put(pseudoRandomBytes(20_000 + n * 1000, seed: 1000 + UInt64(n))))
                }
                return records
            }
            var all: [BlobRecord] = []
            for try await records in group { all += records }
            return all
        }
        #expect(written.count == 20)
        for (n, record) in written.sorted(by: { $0.size < $1.size }).enumerated() {
            #expect(try readBack(store, record.digest) == pseudoRandomBytes(20_000 + n * 1000, seed: 1000 + UInt64(n)))
        }
        #expect(try readBack(store, bigRecord.digest) == big)
        #expect(store.statistics.blobCount == 21)
        #expect(store.statistics.leasedBlobs == 0)
    }

    @Test("a writer of unknown size can store a small blob in a small store")
    func unknownSizeSmallBlobInSmallStore() async throws {
        // 8 chunks of capacity; the blob needs 2. Growing the reservation of a write of unknown size must not
        // demand more than the store can ever hold.
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration(maxSize: 8 * 4096))
        defer { store.close() }
        let bytes = pseudoRandomBytes(5000, seed: 7)
        let writer = try await store.makeWriter()
        try await writer.append(bytes)
        let record = try await writer.finish()
        #expect(record.size == 5000)
        #expect(try readBack(store, record.digest) == bytes)
        #expect(store.statistics.reservedBytes == 0)
    }

    @Test("an aborted writer leaves no blob, returns its reservation and deletes its chunks")
    func abortedWriter() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration())
        let bytes = pseudoRandomBytes(12_000, seed: 8)
        do {
            let writer = try await store!.makeWriter(expectedSize: 20_000)
            #expect(store!.statistics.reservedBytes == 20_000)
            try await writer.append(bytes)
            // The two full chunks get committed (readable by id while the fill is in progress).
            #expect(await eventually { writer.committedBytes == 8192 })
            #expect(try store!.withChunk(id: writer.id, index: 1) { Array($0) } == Array(bytes[4096..<8192]))

            writer.abort()
            #expect(store!.statistics.reservedBytes == 0)
            #expect(try await eventually { try !hasAnyChunk(store!, id: writer.id) })
            writer.abort() // A second abort does nothing.
            #expect(store!.statistics.reservedBytes == 0)
        }
        #expect(try store!.record(BlobDigest(hashing: bytes)) == nil)
        #expect(try store!.list().isEmpty)
        #expect(store!.statistics.storedBytes == 0)

        await closeAndRelease(&store)
        try withRawStore(dir) { raw throws in
            #expect(try raw.chunkCounts().isEmpty)
            #expect(try raw.keys("pending").isEmpty)
        }
    }

    @Test("finish after abort fails and publishes nothing")
    func finishAfterAbort() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration())
        defer { store.close() }
        let bytes = pseudoRandomBytes(12_000, seed: 8)
        let writer = try await store.makeWriter(expectedSize: 12_000)
        try await writer.append(bytes)
        writer.abort()
        // Publishing now would make a blob whose chunks are being deleted.
        await #expect(throws: (any Error).self) { try await writer.finish() }
        #expect(try store.record(BlobDigest(hashing: bytes)) == nil)
        #expect(try store.list().isEmpty)
        #expect(store.statistics.storedBytes == 0)
        #expect(store.statistics.reservedBytes == 0)
    }

    @Test("calling finish a second time leaves the published blob intact")
    func finishTwice() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration())
        defer { store.close() }
        let bytes = pseudoRandomBytes(3 * 4096 + 10, seed: 10)
        let writer = try await store.makeWriter(expectedSize: Int64(bytes.count))
        try await writer.append(bytes)
        let record = try await writer.finish()
        // The second call may fail or return the same record, but must not touch the stored blob.
        if let again = try? await writer.finish() {
            #expect(again.ignoringAccess == record.ignoringAccess)
        }
        #expect(try store.list().map(\.ignoringAccess) == [record.ignoringAccess])
        #expect(try readBack(store, record.digest) == bytes)
        #expect(store.statistics.storedBytes == Int64(bytes.count))
        #expect(store.statistics.reservedBytes == 0)
    }

    @Test("appending after abort fails and leaves no chunks behind, not even after reopening")
    func appendAfterAbort() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration())
        do {
            let writer = try await store!.makeWriter()
            try await writer.append(pseudoRandomBytes(5000, seed: 11))
            writer.abort()
            await #expect(throws: (any Error).self) { try await writer.append(pseudoRandomBytes(3 * 4096, seed: 12)) }
        }
        #expect(await eventually { store!.statistics.reservedBytes == 0 })
        await closeAndRelease(&store)
        var reopened: BlobStore? = try BlobStore(dir.configuration())
        #expect(try reopened!.list().isEmpty)
        await closeAndRelease(&reopened)
        try withRawStore(dir) { raw throws in
            #expect(try raw.chunkCounts().isEmpty)
            #expect(try raw.keys("pending").isEmpty)
        }
    }

    @Test("a writer dropped without finish leaves no blob, returns its reservation and deletes its chunks")
    func droppedWriter() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration())
        let bytes = pseudoRandomBytes(12_000, seed: 9)
        let id = try await writeAndDrop(store!, bytes)
        #expect(await eventually { store!.statistics.reservedBytes == 0 })
        #expect(try await eventually { try !hasAnyChunk(store!, id: id) })
        #expect(try store!.list().isEmpty)
        #expect(store!.statistics.storedBytes == 0)

        await closeAndRelease(&store)
        try withRawStore(dir) { raw throws in
            #expect(try raw.chunkCounts().isEmpty)
            #expect(try raw.keys("pending").isEmpty)
        }
    }

    /// Starts a write, commits some chunks and lets the writer go without finishing it.
    private func writeAndDrop(_ store: BlobStore, _ bytes: [UInt8]) async throws -> UInt64 {
        let writer = try await store.makeWriter(expectedSize: 20_000)
        try await writer.append(bytes)
        #expect(await eventually { writer.committedBytes == 8192 })
        #expect(try hasAnyChunk(store, id: writer.id))
        #expect(store.statistics.reservedBytes == 20_000)
        return writer.id
    }
}
