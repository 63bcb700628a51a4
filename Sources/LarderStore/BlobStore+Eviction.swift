import Synchronization
import Foundation
import LMDB
import Logging

extension BlobStore {
    /// Reserves `bytes` of capacity, evicting least recently used unpinned blobs that nobody is reading.
    ///
    /// - Throws: ``StoreError/insufficientStorage(needed:available:)`` when even that cannot make room; nothing
    ///   is evicted then.
    func reserve(_ bytes: Int64) async throws {
        let victims = ResultBox<[BlobRecord]>()
        let refusal = ResultBox<StoreError>()
        let outcome: Result<Void, any Error> = await withCheckedContinuation { continuation in
            writes.submit({ txn in
                switch try self.makeRoom(for: bytes, in: txn) {
                case .success(let selected): victims.set(selected)
                case .failure(let error): refusal.set(error)
                }
            }, completion: { outcome in
                continuation.resume(returning: outcome)
            })
        }
        let selected = victims.take() ?? []
        if case .failure(let error) = outcome {
            state.withLock { state in
                for victim in selected { state.evicting.remove(victim.id) }
            }
            throw error
        }
        if let refused = refusal.take() { throw refused }
        state.withLock { state in
            for victim in selected {
                state.evicting.remove(victim.id)
                state.usedBytes -= victim.size
                state.storedBytes -= victim.size
                state.blobCount -= 1
                state.evictions += 1
                state.evictedBytes += victim.size
            }
            state.usedBytes += bytes
        }
        for victim in selected {
            logger.info("evicted", metadata: ["digest": "\(victim.digest)", "size": "\(victim.size)", "source": "\(victim.source ?? "")"])
        }
    }

    /// Selects and deletes (in `txn`) the least recently used unleased unpinned blobs until `bytes` fit.
    /// Runs on the writer thread; holds the state lock so no reader can open a victim meanwhile.
    func makeRoom(for bytes: Int64, in txn: borrowing Transaction) throws -> Result<[BlobRecord], StoreError> {
        try applyAccessUpdates(in: txn)
        let dbs = databases
        let maxSize = configuration.maxSize
        return try state.withLock { state in
            var available = maxSize - state.usedBytes
            if bytes <= available { return .success([]) }
            var victims: [BlobRecord] = []
            try txn.withCursor(dbs.access) { cursor in
                var entry = try cursor.first()
                while let current = entry, available < bytes {
                    if let digest = StoreKeys.digest(fromAccessKey: current.key),
                       let recordBytes = try txn.get(dbs.meta, key: digest.bytes) {
                        let record = try BlobRecord.decode(recordBytes)
                        if state.leases[record.id] == nil && !record.pinned && !state.evicting.contains(record.id) {
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
            for victim in victims {
                try txn.delete(dbs.meta, key: victim.digest.bytes)
                try txn.delete(dbs.access, key: StoreKeys.access(time: victim.lastAccess, digest: victim.digest))
                try Self.deleteChunks(id: victim.id, count: victim.chunkCount, in: txn, chunks: dbs.chunks)
                state.evicting.insert(victim.id)
            }
            return .success(victims)
        }
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
        let change: (size: Int64, changed: Bool)? = try await writes.perform { txn in
            guard let bytes = try txn.get(dbs.meta, key: digest.bytes) else { return nil }
            var record = try BlobRecord.decode(bytes)
            guard record.pinned != pinned else { return (record.size, false) }
            record.pinned = pinned
            let accessKey = StoreKeys.access(time: record.lastAccess, digest: digest)
            if pinned {
                try txn.delete(dbs.access, key: accessKey)
            } else {
                try txn.put(dbs.access, key: accessKey, value: [UInt8]())
            }
            try txn.put(dbs.meta, key: digest.bytes, value: try record.encoded())
            return (record.size, true)
        }
        guard let change else { return false }
        if change.changed {
            state.withLock { $0.pinnedBytes += pinned ? change.size : -change.size }
        }
        return true
    }
}
