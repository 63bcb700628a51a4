import Foundation
import LarderAPI
import LarderTestSupport
import Testing
@testable import LarderStore

/// Issue 17, items 4 and 7: a write that is refused (or fails) must not have evicted anything, and `gc` evicts
/// what it can even when pinned content alone exceeds the limit.
@Suite("Refused writes and gc over the limit")
struct RefusedWriteTests {
    /// Sizes in units of the 4 KiB test chunk, scaled like the 50 MiB store: 20 pinned + 20 unpinned.
    static let unit = 10_000
    static let limit = Int64(50 * unit)

    private func makeStore(_ directory: TestDirectory, maxSize: Int64 = limit) throws -> BlobStore {
        try BlobStore(directory.configuration(maxSize: maxSize, chunkSize: 4096))
    }

    /// Streams `bytes` into a writer with no announced size, 64 KiB at a time, and finishes it.
    private func streamWrite(_ store: BlobStore, _ bytes: [UInt8], expected: BlobDigest? = nil) async throws -> BlobRecord {
        let writer = try await store.makeWriter(expected: expected)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 65536)
            try await writer.append(Array(bytes[offset..<end]))
            offset = end
        }
        return try await writer.finish()
    }

    @Test("a streamed write refused for space evicts nothing")
    func refusedStreamKeepsUnpinned() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        defer { store.close() }
        let pinnedBytes = pseudoRandomBytes(20 * Self.unit, seed: 1)
        let unpinnedBytes = pseudoRandomBytes(20 * Self.unit, seed: 2)
        _ = try await store.put(pinnedBytes, pinned: true)
        let unpinned = try await store.put(unpinnedBytes)

        await #expect(throws: StoreError.self) {
            _ = try await streamWrite(store, pseudoRandomBytes(60 * Self.unit, seed: 3))
        }
        let intact = try readBack(store, unpinned.digest) == unpinnedBytes
        #expect(intact, "the refused write evicted the unpinned blob")
        let stats = store.statistics
        #expect(stats.evictions == 0)
        #expect(stats.blobCount == 2)
        #expect(await eventually { store.statistics.reservedBytes == 0 }, "the refused write kept its reservation")
    }

    @Test("a streamed write that fails its digest check evicts nothing")
    func failedVerificationKeepsUnpinned() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        defer { store.close() }
        _ = try await store.put(pseudoRandomBytes(20 * Self.unit, seed: 4), pinned: true)
        let unpinnedBytes = pseudoRandomBytes(20 * Self.unit, seed: 5)
        let unpinned = try await store.put(unpinnedBytes)

        // Fits only by evicting the unpinned blob; the wrong digest then refuses it.
        let wrong = BlobDigest(hashing: Array("other content".utf8))
        await #expect(throws: StoreError.self) {
            _ = try await streamWrite(store, pseudoRandomBytes(25 * Self.unit, seed: 6), expected: wrong)
        }
        let intact = try readBack(store, unpinned.digest) == unpinnedBytes
        #expect(intact, "a write that was not kept evicted a blob")
        #expect(store.statistics.evictions == 0)
    }

    @Test("a streamed write that needs the space evicts when it is published, and only as much as it keeps")
    func keptStreamEvicts() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        defer { store.close() }
        _ = try await store.put(pseudoRandomBytes(20 * Self.unit, seed: 7), pinned: true)
        let older = try await store.put(pseudoRandomBytes(10 * Self.unit, seed: 8))
        let newer = try await store.put(pseudoRandomBytes(10 * Self.unit, seed: 9))
        // 40 units stored; 15 more need 5 freed: the least recently used blob (`older`) goes, `newer` stays.
        let content = pseudoRandomBytes(15 * Self.unit, seed: 10)
        let record = try await streamWrite(store, content)
        let stored = try readBack(store, record.digest) == content
        #expect(stored, "the published blob does not read back")
        #expect(try store.record(older.digest) == nil)
        #expect(try store.record(newer.digest) != nil, "more was evicted than the kept bytes needed")
        let stats = store.statistics
        #expect(stats.evictions == 1)
        #expect(stats.storedBytes <= Self.limit)
        #expect(stats.reservedBytes == 0)
    }

    @Test("a duplicate of stored content evicts nothing")
    func duplicateEvictsNothing() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        defer { store.close() }
        let content = pseudoRandomBytes(20 * Self.unit, seed: 11)
        _ = try await store.put(content, pinned: true)
        let other = try await store.put(pseudoRandomBytes(20 * Self.unit, seed: 12))
        // Streaming the same 20 units again needs room for them while it runs, but keeps nothing new.
        _ = try await streamWrite(store, content)
        #expect(try store.record(other.digest) != nil, "writing content already stored evicted a blob")
        #expect(store.statistics.evictions == 0)
    }

    @Test("gc evicts what it can and warns when pinned content exceeds the limit")
    func gcOverLimitWithPinned() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        var large: BlobStore? = try makeStore(directory, maxSize: 64 << 20)
        let pinned = try await large?.put(pseudoRandomBytes(20 * Self.unit, seed: 13), pinned: true)
        let small = try await large?.put(Array("hello\n".utf8))
        await closeStoreForReopening(&large)

        let store = try makeStore(directory, maxSize: Int64(10 * Self.unit))
        defer { store.close() }
        let report = try await store.gc()
        #expect(report.evicted == 1)
        if let small { #expect(try store.record(small.digest) == nil, "the unpinned blob was not evicted") }
        if let pinned { #expect(try store.record(pinned.digest) != nil) }
        let warning = try #require(report.warning)
        #expect(warning.contains("pinned"))
        #expect(warning.contains("--max-size"))

        // Nothing left to evict, still over the limit: no eviction, the same warning.
        let fine = try await store.gc()
        #expect(fine.evicted == 0)
        #expect(fine.warning != nil, "still over the limit: the warning must stay")
    }

    @Test("gc under the limit reports no warning")
    func gcUnderLimit() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        defer { store.close() }
        _ = try await store.put(Array("x".utf8))
        let report = try await store.gc()
        #expect(report.evicted == 0)
        #expect(report.warning == nil)
    }
}

/// Closes `store` and waits until it and its LMDB environment are released, so the directory can be opened
/// again in this process.
private func closeStoreForReopening(_ store: inout BlobStore?) async {
    guard let open = store else { return }
    final class Weak: @unchecked Sendable {
        // Invariant: written once in init, read only by the polling loop below.
        weak var object: AnyObject?
        init(_ object: AnyObject) { self.object = object }
    }
    let storeReference = Weak(open)
    let environmentReference = Weak(open.environment)
    open.close()
    store = nil
    _ = consume open
    let deadline = ContinuousClock.now + .seconds(10)
    while storeReference.object != nil || environmentReference.object != nil, ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(10))
    }
    #expect(storeReference.object == nil && environmentReference.object == nil, "the closed store is still alive")
}
