import CLMDB
import Foundation

/// An open LMDB environment: one memory-mapped database file with its named databases.
///
/// The environment is opened with `MDB_NOTLS`, so read transactions are not tied to threads and may be used
/// from Swift tasks; write transactions are serialised by LMDB's own writer lock and must begin and end on the
/// same thread without an `await` in between, which the `noasync` transaction API enforces.
public final class Environment: @unchecked Sendable {
    // Safe to share: `handle` is set once in `init` and only read afterwards; LMDB's `MDB_env` is thread-safe for
    // beginning transactions under `MDB_NOTLS`, and `mdb_env_close` runs only in `deinit`, when no other
    // reference (hence no transaction) can exist.
    let handle: OpaquePointer
    /// Start address of the data file's memory map (read from `/proc/self/maps`; LMDB reports it only for fixed
    /// maps), or nil when it could not be found.
    let mapBase: UInt?

    /// Options for opening an environment.
    public struct Configuration: Sendable {
        /// The directory holding `data.mdb` and `lock.mdb`; created when missing.
        public var directory: String
        /// The maximum size of the memory map in bytes (the largest the data file may grow).
        public var mapSize: Int
        /// The number of named databases the environment may hold.
        public var maxDatabases: Int = 16
        /// The number of concurrent read transactions allowed.
        public var maxReaders: Int = 1024
        /// Skip the `fsync` of the meta page on commit: a system crash may undo the last transaction but never
        /// corrupts the database.
        public var noMetaSync: Bool = true

        /// Creates a configuration for `directory` with a map of `mapSize` bytes.
        public init(directory: String, mapSize: Int) {
            self.directory = directory
            self.mapSize = mapSize
        }
    }

    /// Opens (creating when needed) the environment described by `configuration`.
    public init(_ configuration: Configuration) throws {
        try FileManager.default.createDirectory(atPath: configuration.directory, withIntermediateDirectories: true)
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        do {
            try LMDBError.check(mdb_env_set_maxdbs(env, MDB_dbi(configuration.maxDatabases)), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_maxreaders(env, UInt32(configuration.maxReaders)), "mdb_env_set_maxreaders")
            try LMDBError.check(mdb_env_set_mapsize(env, configuration.mapSize), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS | MDB_NORDAHEAD)
            if configuration.noMetaSync { flags |= UInt32(MDB_NOMETASYNC) }
            try LMDBError.check(mdb_env_open(env, configuration.directory, flags, 0o640), "mdb_env_open \(configuration.directory)")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.mapBase = Self.findMapBase(dataFile: configuration.directory + "/data.mdb")
        // Readers left behind by a crashed process would pin old pages forever.
        var dead: Int32 = 0
        mdb_reader_check(env, &dead)
    }

    deinit {
        mdb_env_close(handle)
    }

    /// Opens the named database, creating it when `create` is set.
    @available(*, noasync, message: "LMDB write transactions belong to one thread")
    public func openDatabase(named name: String, create: Bool = true) throws -> Database {
        try write { txn in try txn.openDatabase(named: name, create: create) }
    }

    /// Runs `body` in a read-only transaction, which ends when `body` returns.
    ///
    /// Keep `body` short: a long read transaction keeps LMDB from reusing freed pages.
    @available(*, noasync, message: "LMDB transactions belong to one thread")
    public func read<Result>(_ body: (borrowing Transaction) throws -> Result) throws -> Result {
        let txn = try Transaction(environment: self, readOnly: true, noSync: false)
        let result = try body(txn)
        txn.abort()
        return result
    }

    /// Runs `body` in a write transaction that commits when `body` returns and aborts when it throws.
    ///
    /// - Parameter noSync: skip the `fsync` on commit for this transaction (data of later synced commits is still
    ///   flushed with theirs).
    @available(*, noasync, message: "LMDB write transactions belong to one thread")
    public func write<Result>(noSync: Bool = false, _ body: (borrowing Transaction) throws -> Result) throws -> Result {
        let txn = try Transaction(environment: self, readOnly: false, noSync: noSync)
        let result = try body(txn)
        try txn.commit()
        return result
    }

    /// Flushes the data buffers to disk.
    public func sync(force: Bool = true) throws {
        try LMDBError.check(mdb_env_sync(handle, force ? 1 : 0), "mdb_env_sync")
    }

    /// The configured map size and the number of pages in use, for capacity reporting.
    public func usage() -> (mapSize: Int, usedBytes: Int, pageSize: Int) {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        let pageSize = Int(stat.ms_psize)
        return (info.me_mapsize, (info.me_last_pgno + 1) * pageSize, pageSize)
    }
}

extension Environment {
    /// Where a value lies in the data file: the file's descriptor and the byte offset and length of the value.
    ///
    /// Without `MDB_WRITEMAP`, committed values are written to the file with `pwrite` and the map is a read-only view
    /// of it, so a committed value can be read with `pread` at this offset instead of through the map. The bytes stay
    /// there until the value is deleted and a later transaction reuses its pages: callers must keep it alive (the
    /// store's leases do).
    public struct ValueLocation: Sendable, Equatable {
        /// The data file's descriptor.
        public var descriptor: Int32
        /// Byte offset of the value in the data file.
        public var offset: Int
        /// Length of the value.
        public var count: Int
    }

    /// The location in the data file of `bytes`, a value returned by a transaction of this environment; nil when
    /// the map's address is unknown (then read through the map instead).
    public func location(of bytes: UnsafeRawBufferPointer) -> ValueLocation? {
        guard let mapBase, let start = bytes.baseAddress else { return nil }
        var info = MDB_envinfo()
        var descriptor: Int32 = -1
        guard mdb_env_info(handle, &info) == MDB_SUCCESS, mdb_env_get_fd(handle, &descriptor) == MDB_SUCCESS else { return nil }
        let address = UInt(bitPattern: start)
        guard address >= mapBase, address - mapBase + UInt(bytes.count) <= UInt(info.me_mapsize) else { return nil }
        return ValueLocation(descriptor: descriptor, offset: Int(address - mapBase), count: bytes.count)
    }

    /// The start of the mapping of `dataFile` at file offset 0 in this process.
    static func findMapBase(dataFile: String) -> UInt? {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        let path = URL(fileURLWithPath: dataFile).standardizedFileURL.resolvingSymlinksInPath().path
        for line in maps.split(separator: "\n") where line.hasSuffix(path) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[2] == "00000000", let dash = fields[0].firstIndex(of: "-") else { continue }
            return UInt(fields[0][..<dash], radix: 16)
        }
        return nil
    }
}
