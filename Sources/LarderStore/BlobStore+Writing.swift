import Foundation
import LarderAPI
import LMDB
import Logging
import Synchronization

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
        let claims = reserved > 0 ? try await reserve(reserved) : []
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
            releaseClaims(claims)
            throw error
        }
        return BlobWriter(store: self, id: id, expected: expected, reserved: reserved, claims: claims,
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

    /// Publishes a verified blob: its `meta` record, its place in the LRU index, the end of its `pending` entry,
    /// and the eviction of as many of its claimed blobs as the kept bytes need, in one synced transaction. When
    /// the same content was published meanwhile, keeps that one, deletes these chunks and evicts nothing. `tail`, the
    /// blob's last chunk, is written in the same transaction.
    func publish(_ record: BlobRecord, reserved: Int64, claims: [BlobRecord] = [],
                 refs: [String: [String: String]] = [:], tail: (key: [UInt8], bytes: [UInt8])? = nil) async throws -> BlobRecord {
        let dbs = databases
        let maxSize = configuration.maxSize
        let refValues = try refs.mapValues { try JSONEncoder().encode(RefRecord(digest: record.digest, attributes: $0)) }
        let selected = ResultBox<[BlobRecord]>()
        let result: (record: BlobRecord, duplicate: Bool, evicted: [BlobRecord])
        do {
            result = try await writes.perform { txn in
                if let tail { try txn.put(dbs.chunks, key: tail.key, value: tail.bytes) }
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
                    return (existingRecord, true, [])
                }
                try txn.put(dbs.meta, key: record.digest.bytes, value: try record.encoded())
                if !record.pinned {
                    try txn.put(dbs.access, key: StoreKeys.access(time: record.lastAccess, digest: record.digest), value: [UInt8]())
                }
                try txn.delete(dbs.pending, key: StoreKeys.id(record.id))
                let victims = self.state.withLock { state in
                    Self.victimsNeeded(claims, state: &state, reserved: reserved, kept: record.size, maxSize: maxSize)
                }
                selected.set(victims)
                let evicted = try self.evictClaimed(victims, in: txn)
                return (record, false, evicted)
            }
        } catch {
            if let victims = selected.take() {
                state.withLock { state in for victim in victims { state.evicting.remove(victim.id) } }
            }
            throw error
        }
        state.withLock { state in
            state.usedBytes -= reserved
            if !result.duplicate {
                state.usedBytes += record.size
                state.storedBytes += record.size
                state.blobCount += 1
                if record.pinned { state.pinnedBytes += record.size }
            }
            for claim in claims { state.releaseClaim(claim.id) }
            for victim in result.evicted { state.recordEviction(victim) }
        }
        for victim in selected.take() ?? [] where !result.evicted.contains(where: { $0.id == victim.id }) {
            state.withLock { _ = $0.evicting.remove(victim.id) }
        }
        for victim in result.evicted {
            logger.info("evicted", metadata: ["digest": "\(victim.digest)", "size": "\(victim.size)", "source": "\(victim.source ?? "")"])
        }
        if result.duplicate {
            logger.debug("duplicate write discarded", metadata: ["digest": "\(record.digest)"])
        }
        return result.record
    }

    /// The claimed blobs (least recently used first) whose eviction brings the store back within `maxSize` once
    /// `reserved` becomes `kept` bytes and these claims end; marks them `evicting`.
    private static func victimsNeeded(_ claims: [BlobRecord], state: inout State, reserved: Int64, kept: Int64,
                                      maxSize: Int64) -> [BlobRecord] {
        let mine = claims.filter { state.claimed[$0.id] != nil }
        let myClaimedBytes = mine.reduce(Int64(0)) { $0 + $1.size }
        var need = (state.usedBytes - reserved + kept) - (state.claimedBytes - myClaimedBytes) - maxSize
        var victims: [BlobRecord] = []
        for claim in mine.sorted(by: { $0.lastAccess < $1.lastAccess }) where need > 0 {
            victims.append(claim)
            need -= claim.size
            state.evicting.insert(claim.id)
        }
        return victims
    }

    /// Deletes the claimed `victims` that are still stored, unpinned and the same blob (in `txn`); a victim being
    /// read loses its record now and its chunks with the last lease. Returns the records deleted.
    private func evictClaimed(_ victims: [BlobRecord], in txn: borrowing Transaction) throws -> [BlobRecord] {
        let dbs = databases
        var evicted: [BlobRecord] = []
        for victim in victims {
            guard let bytes = try txn.get(dbs.meta, key: victim.digest.bytes) else { continue }
            let current = try BlobRecord.decode(bytes)
            guard current.id == victim.id, !current.pinned else { continue }
            try txn.delete(dbs.meta, key: current.digest.bytes)
            try txn.delete(dbs.access, key: StoreKeys.access(time: current.lastAccess, digest: current.digest))
            let leased = state.withLock { state -> Bool in
                guard state.leases[current.id] != nil else { return false }
                state.doomed[current.id] = current.chunkCount
                return true
            }
            if leased {
                try txn.put(dbs.pending, key: StoreKeys.id(current.id), value: Array("delete".utf8))
            } else {
                try Self.deleteChunks(id: current.id, count: current.chunkCount, in: txn, chunks: dbs.chunks)
            }
            evicted.append(current)
        }
        return evicted
    }

    /// Removes the chunks of an unfinished write and returns its reservation. Chunks that readers of the fill
    /// in progress still hold a lease on are deleted when the last lease ends.
    func discardWrite(id: UInt64, reserved: Int64, claims: [BlobRecord] = []) {
        release(reservation: reserved)
        releaseClaims(claims)
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
