import Synchronization
import Foundation
import LMDB
import Logging

extension BlobStore {
    /// Starts writing a blob.
    ///
    /// - Parameters:
    ///   - expected: the digest the content must have; a mismatch fails ``BlobWriter/finish(expectedSize:)``.
    ///   - expectedSize: reserved up front when known (evicting as needed), so a blob that cannot fit fails
    ///     before any byte is written.
    /// - Throws: ``StoreError/insufficientStorage(needed:available:)`` when the space cannot be made.
    public func makeWriter(expected: BlobDigest? = nil, expectedSize: Int64? = nil, mediaType: String? = nil,
                           source: String? = nil, pinned: Bool = false) async throws -> BlobWriter {
        let reserved = max(0, expectedSize ?? 0)
        if reserved > 0 {
            try await reserve(reserved)
        }
        let id = state.withLock { state -> UInt64 in
            let id = state.nextID
            state.nextID += 1
            return id
        }
        let pending = databases.pending
        let info = databases.info
        do {
            try await writes.perform { txn in
                try txn.put(pending, key: StoreKeys.id(id), value: Array("write".utf8))
                try txn.put(info, key: Array("nextID".utf8), value: StoreKeys.bigEndian(id + 1))
            }
        } catch {
            release(reservation: reserved)
            throw error
        }
        return BlobWriter(store: self, id: id, expected: expected, reserved: reserved,
                          metadata: .init(mediaType: mediaType, source: source, pinned: pinned))
    }

    /// Stores `bytes` as a blob in one go (small blobs, tests).
    public func put(_ bytes: [UInt8], expected: BlobDigest? = nil, mediaType: String? = nil, source: String? = nil,
                    pinned: Bool = false) async throws -> BlobRecord {
        let writer = try await makeWriter(expected: expected, expectedSize: Int64(bytes.count), mediaType: mediaType,
                                          source: source, pinned: pinned)
        try await writer.append(bytes)
        return try await writer.finish(expectedSize: Int64(bytes.count))
    }

    func release(reservation bytes: Int64) {
        guard bytes > 0 else { return }
        state.withLock { $0.usedBytes -= bytes }
    }

    /// Publishes a verified blob: its `meta` record, its place in the LRU index, and the end of its `pending`
    /// entry, in one synced transaction. When the same content was published meanwhile, keeps that one and
    /// deletes these chunks.
    func publish(_ record: BlobRecord, reserved: Int64, refs: [String: [String: String]] = [:]) async throws -> BlobRecord {
        let dbs = databases
        let refValues = try refs.mapValues { try JSONEncoder().encode(RefRecord(digest: record.digest, attributes: $0)) }
        let result: (record: BlobRecord, duplicate: Bool) = try await writes.perform { txn in
            for (name, value) in refValues {
                try txn.put(dbs.refs, key: Array(name.utf8), value: value)
            }
            if let existing = try txn.get(dbs.meta, key: record.digest.bytes) {
                let existingRecord = try BlobRecord.decode(existing)
                // Readers of the fill may still hold these chunks: then they go with the last lease.
                let leased = self.state.withLock { state -> Bool in
                    guard state.leases[record.id] != nil else { return false }
                    state.doomed[record.id] = record.chunkCount
                    return true
                }
                if !leased {
                    try Self.deleteChunks(id: record.id, count: record.chunkCount, in: txn, chunks: dbs.chunks)
                    try txn.delete(dbs.pending, key: StoreKeys.id(record.id))
                }
                return (existingRecord, true)
            }
            try txn.put(dbs.meta, key: record.digest.bytes, value: try record.encoded())
            if !record.pinned {
                try txn.put(dbs.access, key: StoreKeys.access(time: record.lastAccess, digest: record.digest), value: [UInt8]())
            }
            try txn.delete(dbs.pending, key: StoreKeys.id(record.id))
            return (record, false)
        }
        state.withLock { state in
            state.usedBytes -= reserved
            if !result.duplicate {
                state.usedBytes += record.size
                state.storedBytes += record.size
                state.blobCount += 1
                if record.pinned { state.pinnedBytes += record.size }
            }
        }
        if result.duplicate {
            logger.debug("duplicate write discarded", metadata: ["digest": "\(record.digest)"])
        }
        return result.record
    }

    /// Removes the chunks of an unfinished write and returns its reservation. Chunks that readers of the fill
    /// in progress still hold a lease on are deleted when the last lease ends.
    func discardWrite(id: UInt64, reserved: Int64) {
        release(reservation: reserved)
        let leased = state.withLock { state -> Bool in
            guard state.leases[id] != nil else { return false }
            state.doomed[id] = Int.max
            return true
        }
        if !leased {
            deleteChunksLater(id: id, count: Int.max)
        }
    }

    /// Queues the deletion of blob `id`'s chunks (`count` of them, or all with `Int.max`) and its `pending` entry.
    func deleteChunksLater(id: UInt64, count: Int) {
        let dbs = databases
        writes.submit({ txn in
            try Self.deleteChunks(id: id, count: count, in: txn, chunks: dbs.chunks)
            try txn.delete(dbs.pending, key: StoreKeys.id(id))
        }, completion: { [logger] outcome in
            if case .failure(let error) = outcome {
                logger.error("could not delete chunks; they are removed at the next start", metadata: ["id": "\(id)", "error": "\(error)"])
            }
        })
    }

    /// Deletes chunk keys `id/0 ..< id/count` (all of `id`'s chunks when `count` is `Int.max`).
    static func deleteChunks(id: UInt64, count: Int, in txn: borrowing Transaction, chunks: Database) throws {
        try txn.withCursor(chunks) { cursor in
            let prefix = StoreKeys.id(id)
            var entry = try cursor.seek(atLeast: StoreKeys.chunk(id: id, index: 0))
            var deleted = 0
            while let current = entry, deleted < count, current.key.count == 12, current.key.starts(with: prefix) {
                try cursor.deleteCurrent()
                deleted += 1
                entry = try cursor.seek(atLeast: StoreKeys.chunk(id: id, index: 0))
            }
        }
    }
}
