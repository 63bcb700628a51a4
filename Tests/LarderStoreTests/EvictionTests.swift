import Foundation
import LarderAPI
import LarderTestSupport
import Testing
@testable import LarderStore
import Synchronization

/// Access times are kept in milliseconds; a pause between steps makes the LRU order unambiguous.
private func tick() async throws {
    try await Task.sleep(for: .milliseconds(5))
}

@Suite("Blob store: eviction, pins and leases")
struct EvictionTests {
    static let blobSize = 10_000
    /// Room for exactly three blobs.
    static let capacity = Int64(3 * blobSize)

    private func blob(_ seed: UInt64, size: Int = blobSize) -> [UInt8] { pseudoRandomBytes(size, seed: seed) }

    @Test("the least recently used blob is evicted first; reading a blob makes it recent")
    func lruOrder() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration(maxSize: Self.capacity))
        defer { store.close() }
        let a = try await store.put(blob(1)); try await tick()
        let b = try await store.put(blob(2)); try await tick()
        let c = try await store.put(blob(3)); try await tick()
        #expect(store.statistics.evictions == 0)

        let handle = try #require(try store.open(a.digest))
        handle.release()
        try await store.flushAccessTimes()
        #expect(try #require(try store.record(a.digest)).lastAccess > c.created)
        try await tick()

        let d = try await store.put(blob(4))
        #expect(try store.record(b.digest) == nil)
        #expect(try store.open(b.digest) == nil)
        #expect(try !hasAnyChunk(store, id: b.id))
        #expect(try readBack(store, a.digest) == blob(1)); try await tick()
        #expect(try readBack(store, c.digest) == blob(3)); try await tick()
        #expect(try readBack(store, d.digest) == blob(4))
        var stats = store.statistics
        #expect(stats.evictions == 1)
        #expect(stats.evictedBytes == Int64(Self.blobSize))
        #expect(stats.storedBytes == Self.capacity)
        #expect(stats.blobCount == 3)

        // The readBack above touched A, C and D in that order (flushed by the next eviction itself):
        // the next victim is A.
        try await tick()
        let e = try await store.put(blob(5))
        #expect(try store.record(a.digest) == nil)
        #expect(try Set(store.list().map(\.digest)) == [c.digest, d.digest, e.digest])
        stats = store.statistics
        #expect(stats.evictions == 2)
        #expect(stats.storedBytes == Self.capacity)
    }

    @Test("pinned blobs are never evicted; a blob that cannot fit fails with insufficientStorage and harms nothing")
    func pins() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration(maxSize: Self.capacity))
        defer { store.close() }
        let p = try await store.put(blob(10), pinned: true); try await tick()
        #expect(p.pinned)
        #expect(store.statistics.pinnedBytes == Int64(Self.blobSize))
        let a = try await store.put(blob(11)); try await tick()
        let b = try await store.put(blob(12)); try await tick()

        // P is the oldest, but pinned: A goes.
        let c = try await store.put(blob(13)); try await tick()
        #expect(try store.record(a.digest) == nil)
        #expect(try readBack(store, p.digest) == blob(10))
        #expect(store.statistics.evictions == 1)

        // 25 000 bytes need B and C and P's room; P is pinned: refused, nothing evicted.
        await #expect(throws: StoreError.insufficientStorage(needed: 25_000, available: 20_000)) {
            try await store.put(blob(14, size: 25_000))
        }
        #expect(store.statistics.evictions == 1)
        #expect(try readBack(store, p.digest) == blob(10))
        #expect(try readBack(store, b.digest) == blob(12))
        #expect(try readBack(store, c.digest) == blob(13))
        #expect(store.statistics.reservedBytes == 0)

        // Everything pinned: not even one byte fits.
        #expect(try await store.setPinned(b.digest, true))
        #expect(try await store.setPinned(c.digest, true))
        #expect(try store.record(c.digest)?.pinned == true)
        #expect(store.statistics.pinnedBytes == Self.capacity)
        await #expect(throws: StoreError.insufficientStorage(needed: 1, available: 0)) {
            try await store.put([42])
        }
        for (record, seed) in [(p, UInt64(10)), (b, 12), (c, 13)] {
            #expect(try readBack(store, record.digest) == blob(seed))
        }
        #expect(store.statistics.storedBytes == Self.capacity)
        #expect(store.statistics.reservedBytes == 0)
        #expect(try await store.setPinned(BlobDigest(hashing: [9]), true) == false)

        // Unpinning C makes it the one to go.
        #expect(try await store.setPinned(c.digest, false))
        #expect(store.statistics.pinnedBytes == Int64(2 * Self.blobSize))
        let d = try await store.put(blob(15))
        #expect(try store.record(c.digest) == nil)
        #expect(try Set(store.list().map(\.digest)) == [p.digest, b.digest, d.digest])
        #expect(store.statistics.evictions == 2)
    }

    @Test("a blob larger than the whole store is refused before any byte when its size is known")
    func tooBigKnownSize() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration(maxSize: Self.capacity))
        defer { store.close() }
        let p = try await store.put(blob(20), pinned: true)
        let a = try await store.put(blob(21))
        let b = try await store.put(blob(22))

        await #expect(throws: StoreError.insufficientStorage(needed: Self.capacity + 1, available: Int64(2 * Self.blobSize))) {
            _ = try await store.makeWriter(expectedSize: Self.capacity + 1)
        }
        await #expect(throws: StoreError.self) {
            try await store.put(blob(23, size: Int(Self.capacity) + 1))
        }
        let stats = store.statistics
        #expect(stats.evictions == 0)
        #expect(stats.reservedBytes == 0)
        #expect(stats.storedBytes == Self.capacity)
        #expect(try readBack(store, p.digest) == blob(20))
        #expect(try readBack(store, a.digest) == blob(21))
        #expect(try readBack(store, b.digest) == blob(22))
    }

    @Test("a write of unknown size that outgrows the store fails with insufficientStorage; pinned data intact")
    func tooBigUnknownSize() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let capacity: Int64 = 200_000
        let store = try BlobStore(dir.configuration(maxSize: capacity))
        defer { store.close() }
        let p = try await store.put(blob(30, size: 50_000), pinned: true)
        _ = try await store.put(blob(31, size: 20_000))

        let writer = try await store.makeWriter(source: "endless")
        var appended = 0
        var failure: (any Error)?
        do {
            while appended <= Int(capacity) * 2 {
                try await writer.append(blob(UInt64(1000 + appended), size: 4096))
                appended += 4096
            }
        } catch {
            failure = error
        }
        let error = try #require(failure as? StoreError, "appending \(appended) bytes to a \(capacity)-byte store did not fail")
        #expect(error.isInsufficientStorage, "\(error)")
        #expect(appended <= Int(capacity))
        writer.abort()

        #expect(await eventually { store.statistics.reservedBytes == 0 })
        #expect(try await eventually { try !hasAnyChunk(store, id: writer.id) })
        #expect(try readBack(store, p.digest) == blob(30, size: 50_000))
        // Whatever else is listed is intact and accounted for.
        let listed = try store.list()
        for record in listed {
            let bytes = try #require(try readBack(store, record.digest))
            #expect(BlobDigest(hashing: bytes) == record.digest)
        }
        #expect(store.statistics.storedBytes == listed.reduce(0) { $0 + $1.size })
        #expect(store.statistics.blobCount == listed.count)
        // And the store still takes a blob that fits.
        let fits = try await store.put(blob(32, size: 100_000))
        #expect(try readBack(store, fits.digest) == blob(32, size: 100_000))
    }

    @Test("an open blob is not evicted: eviction takes the next one, or fails when all are open")
    func leasesBlockEviction() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration(maxSize: Self.capacity))
        defer { store.close() }
        let a = try await store.put(blob(40)); try await tick()
        let b = try await store.put(blob(41)); try await tick()
        let c = try await store.put(blob(42)); try await tick()

        let holdA = try #require(try store.open(a.digest)); try await tick()
        #expect(store.statistics.leasedBlobs == 1)
        // Touch B and C after A, so that A is the least recently used and only its lease protects it.
        try store.open(b.digest)?.release(); try await tick()
        try store.open(c.digest)?.release(); try await tick()
        let d = try await store.put(blob(43)); try await tick()
        #expect(try store.record(b.digest) == nil, "B should have been evicted instead of the open A")
        #expect(try store.record(a.digest) != nil)
        #expect(try readAll(holdA) == blob(40))

        let holdC = try #require(try store.open(c.digest))
        let holdD = try #require(try store.open(d.digest))
        await #expect(throws: StoreError.insufficientStorage(needed: Int64(Self.blobSize), available: 0)) {
            try await store.put(blob(44))
        }
        #expect(store.statistics.evictions == 1)
        #expect(try readAll(holdA) == blob(40))
        #expect(try readAll(holdC) == blob(42))
        #expect(try readAll(holdD) == blob(43))

        holdC.release()
        holdC.release() // A second release does nothing.
        let e = try await store.put(blob(44))
        #expect(try store.record(c.digest) == nil)
        #expect(try readAll(holdA) == blob(40))
        #expect(try readAll(holdD) == blob(43))
        holdA.release()
        holdD.release()
        #expect(store.statistics.leasedBlobs == 0)
        #expect(try Set(store.list().map(\.digest)) == [a.digest, d.digest, e.digest])
    }

    @Test("delete while open hides the blob at once; the holder reads it to the end; the chunks go on release")
    func deleteWhileOpen() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration())
        let bytes = blob(50, size: 5 * 4096 + 10)
        let record = try await store!.put(bytes)
        let other = try await store!.put(blob(51))

        var handle = try store!.open(record.digest)
        try #require(handle != nil)
        #expect(try await store!.delete(record.digest))
        #expect(try store!.open(record.digest) == nil)
        #expect(try store!.record(record.digest) == nil)
        #expect(try store!.list() == [other])
        #expect(store!.statistics.storedBytes == other.size)
        #expect(try await store!.delete(record.digest) == false)
        // The chunks are still there for the holder.
        try await Task.sleep(for: .milliseconds(50))
        #expect(try readAll(handle!) == bytes)

        handle!.release()
        handle = nil
        #expect(try await eventually { try !hasAnyChunk(store!, id: record.id) })
        #expect(try readBack(store!, other.digest) == blob(51))

        // Deleting a blob nobody reads removes its chunks with the delete.
        #expect(try await store!.delete(other.digest))
        #expect(try !hasAnyChunk(store!, id: other.id))
        #expect(store!.statistics.storedBytes == 0)
        #expect(store!.statistics.blobCount == 0)

        await closeAndRelease(&store)
        try withRawStore(dir) { raw throws in
            #expect(try raw.chunkCounts().isEmpty)
            #expect(try raw.keys("pending").isEmpty)
            #expect(try raw.keys("access").isEmpty)
        }
    }

    @Test("a blob deleted while open and never released before close is cleaned up at the next open")
    func deferredDeleteSurvivesClose() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        var store: BlobStore? = try BlobStore(dir.configuration())
        let record = try await store!.put(blob(60, size: 3 * 4096))
        var handle = try store!.open(record.digest)
        #expect(try await store!.delete(record.digest))
        store!.close()
        handle?.release()
        handle = nil
        await closeAndRelease(&store)
        #expect(try withRawStore(dir) { try $0.chunkCounts() } == [record.id: 3], "the chunks wait for the next open")

        var reopened: BlobStore? = try BlobStore(dir.configuration())
        #expect(try reopened!.list().isEmpty)
        await closeAndRelease(&reopened)
        try withRawStore(dir) { raw throws in
            #expect(try raw.chunkCounts().isEmpty)
            #expect(try raw.keys("pending").isEmpty)
        }
    }

    @Test("a reader that opens a blob while it is being deleted can still read all of it")
    func openRacingDelete() async throws {
        let dir = try TestDirectory()
        defer { dir.remove() }
        let store = try BlobStore(dir.configuration())
        defer { store.close() }
        let bytes = blob(70, size: 4 * 4096)
        let digest = BlobDigest(hashing: bytes)
        let stop = StopFlag()
        let opened = OpenCounter()
        let cycles = 40
        // The reader opens and reads in a tight loop; the writer stores the blob, waits until the reader has opened
        // it at least once in this cycle (so reads overlap every delete), then deletes it while the reader goes on.
        let (reads, failures) = await withTaskGroup(of: (Int, [String]).self) { group in
            group.addTask {
                var reads = 0
                var failures: [String] = []
                while !stop.isSet {
                    let handle: BlobHandle?
                    do {
                        handle = try store.open(digest)
                    } catch {
                        failures.append("open: \(error)")
                        continue
                    }
                    guard let handle else { await Task.yield(); continue }
                    opened.increment()
                    do {
                        let read = try readAll(handle)
                        if read == bytes { reads += 1 } else { failures.append("read \(read.count) wrong bytes") }
                    } catch {
                        failures.append("read: \(error)")
                    }
                    handle.release()
                }
                return (reads, failures)
            }
            group.addTask {
                var failures: [String] = []
                for cycle in 0..<cycles {
                    do {
                        let before = opened.value
                        let record = try await store.put(bytes)
                        if record.digest != digest { failures.append("cycle \(cycle): stored \(record.digest)") }
                        let deadline = ContinuousClock.now + .seconds(20)
                        while opened.value == before && ContinuousClock.now < deadline {
                            try? await Task.sleep(for: .milliseconds(1))
                        }
                        if opened.value == before {
                            failures.append("cycle \(cycle): the reader never opened the blob")
                        }
                        if try await !store.delete(digest) { failures.append("cycle \(cycle): delete found nothing") }
                    } catch {
                        failures.append("cycle \(cycle): \(error)")
                    }
                }
                stop.set()
                return (0, failures)
            }
            var reads = 0
            var all: [String] = []
            for await (count, failed) in group {
                reads += count
                all += failed
            }
            return (reads, all)
        }
        #expect(failures.isEmpty, "\(failures.count) failures, e.g. \(failures.first ?? "")")
        #expect(reads >= cycles, "each cycle must have read the blob at least once; read \(reads) times")
        #expect(try store.list().isEmpty)
        #expect(store.statistics.leasedBlobs == 0)
        #expect(store.statistics.reservedBytes == 0)
    }
}


/// How many times a reader opened a blob, shared between tasks.
final class OpenCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
    func increment() { count.add(1, ordering: .sequentiallyConsistent) }
}

final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
