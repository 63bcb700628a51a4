import CLMDB
import Foundation

/// An LMDB transaction. It commits or aborts exactly once: `commit()` and `abort()` consume it, and a
/// transaction dropped without either aborts itself.
///
/// Byte buffers returned by ``get(_:key:)`` and cursors point into the memory map and are valid only until the
/// transaction ends; copy what you need before returning from the transaction's closure.
public struct Transaction: ~Copyable {
    let txn: OpaquePointer

    init(environment: Environment, readOnly: Bool, noSync: Bool) throws {
        var flags: UInt32 = 0
        if readOnly { flags |= UInt32(MDB_RDONLY) }
        if noSync { flags |= UInt32(MDB_NOSYNC) }
        var txn: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(environment.handle, nil, flags, &txn), "mdb_txn_begin")
        guard let txn else { throw LMDBError(code: EINVAL, operation: "mdb_txn_begin") }
        self.txn = txn
    }

    deinit {
        mdb_txn_abort(txn)
    }

    /// Commits the transaction's changes.
    public consuming func commit() throws {
        let txn = self.txn
        discard self
        try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit")
    }

    /// Abandons the transaction's changes.
    public consuming func abort() {
        let txn = self.txn
        discard self
        mdb_txn_abort(txn)
    }

    /// Opens the named database inside this (write) transaction.
    public func openDatabase(named name: String, create: Bool) throws -> Database {
        var dbi: MDB_dbi = 0
        let flags = create ? UInt32(MDB_CREATE) : 0
        try LMDBError.check(mdb_dbi_open(txn, name, flags, &dbi), "mdb_dbi_open \(name)")
        return Database(dbi: dbi)
    }

    /// The value stored under `key`, or nil; the buffer lives until the transaction ends.
    public func get(_ db: Database, key: some ContiguousBytes) throws -> UnsafeRawBufferPointer? {
        try key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var v = MDB_val()
            let rc = mdb_get(txn, db.dbi, &k, &v)
            if rc == MDB_NOTFOUND { return nil }
            try LMDBError.check(rc, "mdb_get")
            return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
        }
    }

    /// Stores `value` under `key`, replacing any previous value.
    public func put(_ db: Database, key: some ContiguousBytes, value: some ContiguousBytes) throws {
        try value.withUnsafeBytes { valueBytes in
            try put(db, key: key, rawValue: valueBytes)
        }
    }

    /// Stores the bytes of `rawValue` under `key`, replacing any previous value.
    public func put(_ db: Database, key: some ContiguousBytes, rawValue: UnsafeRawBufferPointer) throws {
        try key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var v = MDB_val(mv_size: rawValue.count, mv_data: UnsafeMutableRawPointer(mutating: rawValue.baseAddress))
            try LMDBError.check(mdb_put(txn, db.dbi, &k, &v, 0), "mdb_put")
        }
    }

    /// Deletes `key`; returns whether it existed.
    @discardableResult
    public func delete(_ db: Database, key: some ContiguousBytes) throws -> Bool {
        try key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            let rc = mdb_del(txn, db.dbi, &k, nil)
            if rc == MDB_NOTFOUND { return false }
            try LMDBError.check(rc, "mdb_del")
            return true
        }
    }

    /// Runs `body` with a cursor over `db`; the cursor is closed when `body` returns.
    public func withCursor<Result>(_ db: Database, _ body: (borrowing Cursor) throws -> Result) throws -> Result {
        let cursor = try Cursor(txn: txn, dbi: db.dbi)
        return try body(cursor)
    }

    /// Number of entries in `db`.
    public func count(_ db: Database) throws -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(txn, db.dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }
}
