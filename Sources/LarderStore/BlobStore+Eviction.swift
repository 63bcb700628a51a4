import Foundation
import LarderAPI
import LMDB
import Logging
import Synchronization

extension BlobStore {
    /// Reserves `bytes` of capacity for a write in progress, claiming least recently used unpinned blobs that
    /// nobody is reading when free space alone is not enough.
    ///
    /// Claimed blobs are not deleted here: they stay stored and readable, and are evicted only when the write that
    /// claimed them is published (``publish(_:reserved:claims:refs:)``), and only as many as the bytes kept need.
    /// A write that fails (refused, aborted, wrong digest) gives its claims back, so it never costs stored data.
    ///
    /// - Returns: the blobs claimed (empty when free space sufficed).
    /// - Throws: ``StoreError/insufficientStorage(needed:available:)`` when even evicting every evictable blob
    ///   could not make room; nothing is claimed then.
    func reserve(_ bytes: Int64) async throws -> [BlobRecord] {
        let victims = ResultBox<[BlobRecord]>()
        let refusal = ResultBox<StoreError>()
        let outcome: Result<Void, any Error> = await withCheckedContinuation { continuation in
            writes.submit({ txn in
                switch try self.claimRoom(for: bytes, in: txn) {
                case .success(let selected): victims.set(selected)
                case .failure(let error): refusal.set(error)
                }
            }, completion: { outcome in
                continuation.resume(returning: outcome)
            })
        }
        let selected = victims.take()
        if case .failure(let error) = outcome {
            // The transaction (access-time updates) failed after the claim was made: undo it.
            if let selected {
                release(reservation: bytes)
                releaseClaims(selected)
            }
            throw error
        }
        if let refused = refusal.take() { throw refused }
        return selected ?? []
    }

    /// Counts `bytes` as used and claims the least recently used unleased unpinned unclaimed blobs until they fit.
    /// Runs on the writer thread (after writing pending access times, so the LRU order is current).
    private func claimRoom(for bytes: Int64, in txn: borrowing Transaction) throws -> Result<[BlobRecord], StoreError> {
        try applyAccessUpdates(in: txn)
        let dbs = databases
        let maxSize = configuration.maxSize
        return try state.withLock { state in
            var available = maxSize - state.usedBytes + state.claimedBytes
            var victims: [BlobRecord] = []
            if bytes > available {
                try txn.withCursor(dbs.access) { cursor in
                    var entry = try cursor.first()
                    while let current = entry, available < bytes {
                        if let digest = StoreKeys.digest(fromAccessKey: current.key),
                           let recordBytes = try txn.get(dbs.meta, key: digest.bytes) {
                            let record = try BlobRecord.decode(recordBytes)
                            if state.isEvictable(record) {
                                victims.append(record)
                                available += record.size
                            }
                        }
                        entry = try cursor.next()
                    }
                }
                guard available >= bytes else {
                    return .failure(.insufficientStorage(needed: bytes, available: max(0, available)))
                }
            }
            for victim in victims {
                state.claimed[victim.id] = victim.size
                state.claimedBytes += victim.size
            }
            state.usedBytes += bytes
            return .success(victims)
        }
    }

    /// Gives back claims of a write that will not be published (or that did not need them).
    func releaseClaims(_ claims: [BlobRecord]) {
        guard !claims.isEmpty else { return }
        state.withLock { state in
            for claim in claims { state.releaseClaim(claim.id) }
        }
    }

    /// Evicts least recently used unpinned blobs nobody is reading or has claimed until the store is within its
    /// size limit, or until nothing more can be evicted (then the rest is left; see ``gc()``).
    ///
    /// - Returns: the number of blobs evicted and the bytes by which the store still exceeds its limit.
    func evictToLimit() async throws -> (evicted: Int, excess: Int64) {
        let selected = ResultBox<[BlobRecord]>()
        let dbs = databases
        let maxSize = configuration.maxSize
        do {
            try await writes.perform { txn in
                try self.applyAccessUpdates(in: txn)
                try self.state.withLock { state in
                    var excess = state.usedBytes - state.claimedBytes - maxSize
                    guard excess > 0 else { return }
                    var victims: [BlobRecord] = []
                    try txn.withCursor(dbs.access) { cursor in
                        var entry = try cursor.first()
                        while let current = entry, excess > 0 {
                            if let digest = StoreKeys.digest(fromAccessKey: current.key),
                               let recordBytes = try txn.get(dbs.meta, key: digest.bytes) {
                                let record = try BlobRecord.decode(recordBytes)
                                if state.isEvictable(record) {
                                    victims.append(record)
                                    excess -= record.size
                                }
                            }
                            entry = try cursor.next()
                        }
                    }
                    for victim in victims {
                        try txn.delete(dbs.meta, key: victim.digest.bytes)
                        try txn.delete(dbs.access, key: StoreKeys.access(time: victim.lastAccess, digest: victim.digest))
                        try Self.deleteChunks(id: victim.id, count: victim.chunkCount, in: txn, chunks: dbs.chunks)
                        state.evicting.insert(victim.id)
                    }
                    selected.set(victims)
                }
            }
        } catch {
            if let victims = selected.take() {
                state.withLock { state in for victim in victims { state.evicting.remove(victim.id) } }
            }
            throw error
        }
        let victims = selected.take() ?? []
        let excess = state.withLock { state -> Int64 in
            for victim in victims { state.recordEviction(victim) }
            return state.usedBytes - state.claimedBytes - maxSize
        }
        for victim in victims {
            logger.info("evicted", metadata: ["digest": "\(victim.digest)", "size": "\(victim.size)", "source": "\(victim.source ?? "")"])
        }
        return (victims.count, max(0, excess))
    }

    /// Writes the last-access times gathered by ``open(_:)`` into `meta` and the LRU index.
    func applyAccessUpdates(in txn: borrowing Transaction) throws {
        let updates = state.withLock { state in
            let updates = state.accessUpdates
            state.accessUpdates.removeAll()
            return updates
        }
        for (digest, time) in updates {
            guard let bytes = try txn.get(databases.meta, key: digest.bytes) else { continue }
            var record = try BlobRecord.decode(bytes)
            guard time > record.lastAccess else { continue }
            if !record.pinned {
                try txn.delete(databases.access, key: StoreKeys.access(time: record.lastAccess, digest: digest))
                try txn.put(databases.access, key: StoreKeys.access(time: time, digest: digest), value: [UInt8]())
            }
            record.lastAccess = time
            try txn.put(databases.meta, key: digest.bytes, value: try record.encoded())
        }
    }

    /// Writes gathered last-access times to disk (the server calls this every few seconds).
    public func flushAccessTimes() async throws {
        guard state.withLock({ !$0.accessUpdates.isEmpty }) else { return }
        try await writes.perform { txn in try self.applyAccessUpdates(in: txn) }
    }

    func flushAccessTimesBlocking() throws {
        try writes.performBlocking { txn in try self.applyAccessUpdates(in: txn) }
    }

    /// Deletes a blob. A blob being read disappears for new readers at once; its chunks go when the last reader
    /// is done. Returns false when the blob was not stored.
    public func delete(_ digest: BlobDigest) async throws -> Bool {
        let selected = ResultBox<UInt64>()
        let removed: BlobRecord?
        do {
            removed = try await deleteRecord(digest, selected: selected)
        } catch {
            // The transaction did not commit: the blob stays, so let readers open it again.
            if let id = selected.take() { state.withLock { _ = $0.evicting.remove(id) } }
            throw error
        }
        guard let removed else { return false }
        state.withLock { state in
            state.evicting.remove(removed.id)
            state.releaseClaim(removed.id)
            state.usedBytes -= removed.size
            state.storedBytes -= removed.size
            state.blobCount -= 1
            if removed.pinned { state.pinnedBytes -= removed.size }
        }
        logger.info("deleted", metadata: ["digest": "\(digest)", "size": "\(removed.size)"])
        return true
    }

    private func deleteRecord(_ digest: BlobDigest, selected: ResultBox<UInt64>) async throws -> BlobRecord? {
        let dbs = databases
        return try await writes.perform { txn in
            guard let bytes = try txn.get(dbs.meta, key: digest.bytes) else { return nil }
            let record = try BlobRecord.decode(bytes)
            selected.set(record.id)
            try txn.delete(dbs.meta, key: digest.bytes)
            try txn.delete(dbs.access, key: StoreKeys.access(time: record.lastAccess, digest: digest))
            let leased = self.state.withLock { state -> Bool in
                // Until the commit, open() still finds the record: keep new readers off it.
                state.evicting.insert(record.id)
                guard state.leases[record.id] != nil else { return false }
                state.doomed[record.id] = record.chunkCount
                return true
            }
            if leased {
                try txn.put(dbs.pending, key: StoreKeys.id(record.id), value: Array("delete".utf8))
            } else {
                try Self.deleteChunks(id: record.id, count: record.chunkCount, in: txn, chunks: dbs.chunks)
            }
            return record
        }
    }

    /// Pins or unpins a blob; pinned blobs are never evicted. Returns false when the blob is not stored.
    public func setPinned(_ digest: BlobDigest, _ pinned: Bool) async throws -> Bool {
        let dbs = databases
        let change: (size: Int64, changed: Bool, id: UInt64?)? = try await writes.perform { txn in
            guard let bytes = try txn.get(dbs.meta, key: digest.bytes) else { return nil }
            var record = try BlobRecord.decode(bytes)
            guard record.pinned != pinned else { return (record.size, false, nil) }
            record.pinned = pinned
            let accessKey = StoreKeys.access(time: record.lastAccess, digest: digest)
            if pinned {
                try txn.delete(dbs.access, key: accessKey)
            } else {
                try txn.put(dbs.access, key: accessKey, value: [UInt8]())
            }
            try txn.put(dbs.meta, key: digest.bytes, value: try record.encoded())
            return (record.size, true, record.id)
        }
        guard let change else { return false }
        if change.changed {
            state.withLock { state in
                state.pinnedBytes += pinned ? change.size : -change.size
                // A pinned blob is never evicted, so a write in progress can no longer count on its space.
                if pinned, let id = change.id { state.releaseClaim(id) }
            }
        }
        return true
    }
}

extension BlobStore.State {
    /// Whether eviction may take `record` now: unpinned, not being read, not being deleted, not claimed.
    func isEvictable(_ record: BlobRecord) -> Bool {
        leases[record.id] == nil && !record.pinned && !evicting.contains(record.id) && claimed[record.id] == nil
    }

    /// Ends the claim on blob `id`, if any.
    mutating func releaseClaim(_ id: UInt64) {
        if let size = claimed.removeValue(forKey: id) { claimedBytes -= size }
    }

    /// Accounts for an evicted blob whose deletion committed.
    mutating func recordEviction(_ victim: BlobRecord) {
        evicting.remove(victim.id)
        usedBytes -= victim.size
        storedBytes -= victim.size
        blobCount -= 1
        evictions += 1
        evictedBytes += victim.size
    }
}
