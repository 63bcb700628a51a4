import Foundation
import LarderAPI
import LMDB
import Logging
import Synchronization

/// A content-addressed blob store in one LMDB environment.
///
/// Blobs are stored as fixed-size chunks under an internal id and become visible (a `meta` record under their
/// digest) only once complete and verified. Reads take one short read transaction per chunk, so a slow client
/// never pins old pages; a blob being read is protected from eviction by a lease. All writes go through one
/// writer thread (``WriteQueue``). Methods that read are synchronous and cheap; methods that write are `async`.
///
/// Databases: `meta` (digest → ``BlobRecord``), `chunks` (id, index → bytes), `access` (last access, digest →
/// nothing; unpinned blobs in LRU order), `refs` (name → ``RefRecord``), `pending` (id → writes in progress or
/// chunks awaiting deletion, cleaned at the next open), `info` (counters), and the run store's `runs`,
/// `artifacts`, `runrefs` and `outbox` (see `Runs/`).
public final class BlobStore: Sendable {
    /// The configuration the store was opened with.
    public let configuration: StoreConfiguration
    let environment: Environment
    let writes: WriteQueue
    let databases: Databases
    let state: Mutex<State>
    let lock: DirectoryLock?
    var logger: Logger { configuration.logger }

    struct Databases: Sendable {
        let meta: Database
        let chunks: Database
        let access: Database
        let refs: Database
        let pending: Database
        let info: Database
        /// Task records: flow, run, step, task, attempt → record JSON.
        let runs: Database
        /// Task artifacts: flow, run, step, task, name → ``ArtifactReference`` JSON.
        let artifacts: Database
        /// Which runs reference a blob: digest, flow, run → nothing; a blob stays pinned while any run needs it.
        let runRefs: Database
        /// Run-store changes waiting to be sent to a remote tier: sequence number → ``OutboxEntry`` JSON.
        let outbox: Database
    }

    /// In-memory bookkeeping, guarded by `state`.
    struct State {
        /// Bytes of published blobs plus space reserved by writes in progress.
        var usedBytes: Int64 = 0
        /// Bytes of published blobs.
        var storedBytes: Int64 = 0
        var blobCount: Int = 0
        var pinnedBytes: Int64 = 0
        var nextID: UInt64 = 1
        /// Open readers per blob id.
        var leases: [UInt64: Int] = [:]
        /// Ids deleted while leased: chunk count to delete when the last lease ends.
        var doomed: [UInt64: Int] = [:]
        /// Ids selected for eviction in a transaction not yet committed: not to be opened.
        var evicting: Set<UInt64> = []
        /// Blobs (id → size) claimed by writes in progress: evicted when such a write is published, given back
        /// when it fails. Their bytes count as free for reservations and are not claimed twice.
        var claimed: [UInt64: Int64] = [:]
        /// Sum of the sizes in `claimed`.
        var claimedBytes: Int64 = 0
        /// Last-access times not yet written to `access`.
        var accessUpdates: [BlobDigest: Double] = [:]
        var evictions: Int = 0
        var evictedBytes: Int64 = 0
    }

    /// Opens the store in `configuration.directory`, removing what a crash left half-written.
    public init(_ configuration: StoreConfiguration) throws {
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: configuration.directory, withIntermediateDirectories: true)
        self.lock = configuration.exclusive ? try DirectoryLock(directory: configuration.directory) : nil
        var envConfig = Environment.Configuration(directory: configuration.directory + "/lmdb", mapSize: configuration.mapSize)
        envConfig.maxDatabases = 16
        let environment = try Environment(envConfig)
        self.environment = environment
        self.databases = try environment.write { txn in
            Databases(
                meta: try txn.openDatabase(named: "meta", create: true),
                chunks: try txn.openDatabase(named: "chunks", create: true),
                access: try txn.openDatabase(named: "access", create: true),
                refs: try txn.openDatabase(named: "refs", create: true),
                pending: try txn.openDatabase(named: "pending", create: true),
                info: try txn.openDatabase(named: "info", create: true),
                runs: try txn.openDatabase(named: "runs", create: true),
                artifacts: try txn.openDatabase(named: "artifacts", create: true),
                runRefs: try txn.openDatabase(named: "runrefs", create: true),
                outbox: try txn.openDatabase(named: "outbox", create: true)
            )
        }
        self.state = Mutex(State())
        self.writes = WriteQueue(environment: environment)
        try recover()
    }

    /// Flushes pending access times and stops the writer thread. The store must not be used afterwards.
    public func close() {
        try? flushAccessTimesBlocking()
        writes.stop()
    }

    /// The record of a published blob, or nil.
    public func record(_ digest: BlobDigest) throws -> BlobRecord? {
        try readTransaction { txn in try self.record(digest, in: txn) }
    }

    func record(_ digest: BlobDigest, in txn: borrowing Transaction) throws -> BlobRecord? {
        guard let bytes = try txn.get(databases.meta, key: digest.bytes) else { return nil }
        return try BlobRecord.decode(bytes)
    }

    /// Opens a published blob for reading: the returned handle keeps it from being evicted or deleted until it is
    /// released, and the access counts for LRU.
    public func open(_ digest: BlobDigest) throws -> BlobHandle? {
        let now = Date().timeIntervalSince1970
        return try state.withLock { state -> BlobHandle? in
            guard let record = try readTransaction({ txn in try self.record(digest, in: txn) }) else { return nil }
            guard state.doomed[record.id] == nil, !state.evicting.contains(record.id) else { return nil }
            state.leases[record.id, default: 0] += 1
            state.accessUpdates[digest] = now
            return BlobHandle(store: self, record: record)
        }
    }

    /// Protects the chunks of blob `id` (published or being written) from deletion until ``releaseLease(id:)``.
    public func acquireLease(id: UInt64) {
        state.withLock { $0.leases[id, default: 0] += 1 }
    }

    /// Ends one lease on blob `id`; deletes its chunks when it was deleted while leased.
    public func releaseLease(id: UInt64) {
        let chunksToDelete: Int? = state.withLock { state in
            guard let count = state.leases[id] else { return nil }
            if count > 1 {
                state.leases[id] = count - 1
                return nil
            }
            state.leases[id] = nil
            return state.doomed.removeValue(forKey: id)
        }
        if let chunksToDelete {
            deleteChunksLater(id: id, count: chunksToDelete)
        }
    }

    /// Calls `body` with the bytes of chunk `index` of blob `id`, inside one short read transaction; nil when the
    /// chunk is not (yet) stored.
    public func withChunk<Result>(id: UInt64, index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result? {
        try readTransaction { txn in
            guard let bytes = try txn.get(databases.chunks, key: StoreKeys.chunk(id: id, index: index)) else { return nil }
            return try body(bytes)
        }
    }

    /// Every published blob, in digest order.
    public func list() throws -> [BlobRecord] {
        try readTransaction { txn in
            try txn.withCursor(databases.meta) { cursor in
                var records: [BlobRecord] = []
                var entry = try cursor.first()
                while let current = entry {
                    records.append(try BlobRecord.decode(current.value))
                    entry = try cursor.next()
                }
                return records
            }
        }
    }

    /// Current sizes and counters.
    public var statistics: StoreStatistics {
        let usage = environment.usage()
        return state.withLock { state in
            StoreStatistics(
                capacityBytes: configuration.maxSize,
                storedBytes: state.storedBytes,
                reservedBytes: state.usedBytes - state.storedBytes,
                blobCount: state.blobCount,
                pinnedBytes: state.pinnedBytes,
                leasedBlobs: state.leases.count,
                evictions: state.evictions,
                evictedBytes: state.evictedBytes,
                databaseFileBytes: Int64(usage.usedBytes)
            )
        }
    }

    /// Runs `body` in a read transaction (a synchronous wrapper, so async callers may use it: it never blocks).
    func readTransaction<Result>(_ body: (borrowing Transaction) throws -> Result) throws -> Result {
        do {
            return try environment.read(body)
        } catch let error as LMDBError {
            throw StoreError.database(error.description)
        }
    }
}

/// Sizes and counters of a store, for `/stats` and `/metrics`.
public struct StoreStatistics: Sendable, Codable, Equatable {
    /// The configured maximum of content bytes.
    public var capacityBytes: Int64
    /// Bytes of published blobs.
    public var storedBytes: Int64
    /// Bytes reserved by writes in progress.
    public var reservedBytes: Int64
    /// Number of published blobs.
    public var blobCount: Int
    /// Bytes of pinned blobs.
    public var pinnedBytes: Int64
    /// Blobs currently being read.
    public var leasedBlobs: Int
    /// Blobs evicted since the store was opened.
    public var evictions: Int
    /// Bytes evicted since the store was opened.
    public var evictedBytes: Int64
    /// Size of the LMDB data in use, including metadata and free pages.
    public var databaseFileBytes: Int64
}

extension BlobStore {
    /// Where chunk `index` of blob `id` lies in the data file, for reading it with `pread` (no page faults on the
    /// map, one copy from the page cache); nil when the chunk is not stored or its place is unknown (then use
    /// ``withChunk(id:index:_:)``). The caller must hold a lease on `id` (`BlobSliceReader`).
    func chunkLocation(id: UInt64, index: Int) throws -> Environment.ValueLocation? {
        try readTransaction { txn in
            guard let bytes = try txn.get(databases.chunks, key: StoreKeys.chunk(id: id, index: index)) else { return nil }
            return environment.location(of: bytes)
        }
    }
}
