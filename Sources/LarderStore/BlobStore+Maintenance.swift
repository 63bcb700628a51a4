import Crypto
import Foundation
import LarderAPI
import LMDB
import Logging
import Synchronization

/// What `verify` found.
public struct VerifyReport: Sendable, Codable, Equatable {
    /// Blobs whose bytes hashed to their digest.
    public var verified: Int
    /// Blobs removed because their bytes were missing or did not match their digest.
    public var corrupt: [BlobDigest]
    /// Bytes read.
    public var bytesRead: Int64
}

/// What `gc` did.
public struct GCReport: Sendable, Codable, Equatable {
    /// Refs removed because their blob is gone.
    public var danglingRefsRemoved: Int
    /// Blobs evicted to get back under the size limit.
    public var evicted: Int
    /// Bytes stored afterwards.
    public var storedBytes: Int64
    /// Set when the store is still over its size limit after evicting everything it could: what is in the way
    /// (pinned blobs, blobs being read, writes in progress) and what to do about it.
    public var warning: String?

    /// Creates a report.
    public init(danglingRefsRemoved: Int, evicted: Int, storedBytes: Int64, warning: String? = nil) {
        self.danglingRefsRemoved = danglingRefsRemoved
        self.evicted = evicted
        self.storedBytes = storedBytes
        self.warning = warning
    }
}

extension BlobStore {
    /// Deletes what an interrupted run left behind (chunks of unfinished writes, deletions deferred for readers)
    /// and recomputes the in-memory totals from `meta`.
    func recover() throws {
        let dbs = databases
        var cleaned = 0
        try environment.write { txn in
            var pendingIDs: [UInt64] = []
            try txn.withCursor(dbs.pending) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    if let id = StoreKeys.readUInt64(current.key) { pendingIDs.append(id) }
                    entry = try cursor.next()
                }
            }
            for id in pendingIDs {
                try Self.deleteChunks(id: id, count: Int.max, in: txn, chunks: dbs.chunks)
                try txn.delete(dbs.pending, key: StoreKeys.id(id))
            }
            cleaned = pendingIDs.count
        }
        var totals = State()
        try environment.read { txn in
            if let next = try txn.get(dbs.info, key: Array("nextID".utf8)), let value = StoreKeys.readUInt64(next) {
                totals.nextID = value
            }
            try txn.withCursor(dbs.meta) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let record = try BlobRecord.decode(current.value)
                    totals.storedBytes += record.size
                    totals.blobCount += 1
                    if record.pinned { totals.pinnedBytes += record.size }
                    totals.nextID = max(totals.nextID, record.id + 1)
                    entry = try cursor.next()
                }
            }
        }
        totals.usedBytes = totals.storedBytes
        state.withLock { $0 = totals }
        if cleaned > 0 {
            logger.warning("removed unfinished writes left by an interrupted run", metadata: ["count": "\(cleaned)"])
        }
        logger.info("store opened", metadata: [
            "directory": "\(configuration.directory)", "blobs": "\(totals.blobCount)",
            "stored": "\(ByteCount.format(totals.storedBytes))", "capacity": "\(ByteCount.format(configuration.maxSize))",
        ])
    }

    /// Re-hashes every blob chunk by chunk and deletes those whose bytes are missing or wrong.
    public func verify() async throws -> VerifyReport {
        var report = VerifyReport(verified: 0, corrupt: [], bytesRead: 0)
        for record in try list() {
            guard let handle = try open(record.digest) else { continue }
            var hasher = SHA256()
            var intact = true
            for index in 0..<record.chunkCount {
                let expectedLength = record.chunkRange(index).count
                let ok = try handle.withChunk(index) { bytes -> Bool in
                    hasher.update(bufferPointer: bytes)
                    return bytes.count == expectedLength
                }
                report.bytesRead += Int64(expectedLength)
                if ok != true {
                    intact = false
                    break
                }
            }
            handle.release()
            if intact && BlobDigest(hasher.finalize()) == record.digest {
                report.verified += 1
            } else {
                logger.error("corrupt blob removed", metadata: ["digest": "\(record.digest)"])
                report.corrupt.append(record.digest)
                _ = try await delete(record.digest)
            }
        }
        return report
    }

    /// Removes refs to missing blobs and evicts down to the size limit (after it was lowered, say).
    ///
    /// Evicts every unpinned blob it can even when that is not enough to get under the limit (pinned content
    /// larger than the limit, say); the report's ``GCReport/warning`` then says so.
    public func gc() async throws -> GCReport {
        try await flushAccessTimes()
        let dangling = try refs().filter { try record($0.ref.digest) == nil }
        for entry in dangling {
            try await removeRef(entry.name)
        }
        let (evicted, excess) = try await evictToLimit()
        let stats = statistics
        var warning: String?
        if excess > 0 {
            let limit = ByteCount.format(configuration.maxSize)
            if stats.pinnedBytes > configuration.maxSize {
                warning = "pinned blobs take \(ByteCount.format(stats.pinnedBytes)), more than the size limit of \(limit); "
                    + "unpin or delete some, or raise --max-size"
            } else {
                warning = "the store is still \(ByteCount.format(excess)) over its size limit of \(limit): pinned blobs "
                    + "(\(ByteCount.format(stats.pinnedBytes))), blobs being read and writes in progress cannot be evicted; "
                    + "run gc again later, unpin some blobs, or raise --max-size"
            }
            logger.warning("store over its size limit after gc", metadata: ["excess": "\(excess)", "pinned": "\(stats.pinnedBytes)"])
        }
        return GCReport(danglingRefsRemoved: dangling.count, evicted: evicted, storedBytes: stats.storedBytes, warning: warning)
    }
}
