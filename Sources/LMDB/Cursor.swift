import CLMDB
import Foundation

/// A position in a database, walking keys in byte order. Lives inside one transaction.
public struct Cursor: ~Copyable {
    /// A key and its value, both pointing into the memory map until the transaction ends.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    let cursor: OpaquePointer

    init(txn: OpaquePointer, dbi: MDB_dbi) throws {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        guard let cursor else { throw LMDBError(code: EINVAL, operation: "mdb_cursor_open") }
        self.cursor = cursor
    }

    deinit {
        mdb_cursor_close(cursor)
    }

    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws -> Entry? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry, or nil when the database is empty.
    public func first() throws -> Entry? { try move(MDB_FIRST) }

    /// The last entry, or nil when the database is empty.
    public func last() throws -> Entry? { try move(MDB_LAST) }

    /// The entry after the current one, or nil at the end.
    public func next() throws -> Entry? { try move(MDB_NEXT) }

    /// The first entry whose key is greater than or equal to `key`.
    public func seek(atLeast key: some ContiguousBytes) throws -> Entry? {
        // LMDB rejects an empty key (MDB_BAD_VALSIZE); every key is at least the empty one.
        try key.withUnsafeBytes { $0.isEmpty ? try first() : try move(MDB_SET_RANGE, key: $0) }
    }

    /// Deletes the entry at the cursor's position (write transactions only).
    public func deleteCurrent() throws {
        try LMDBError.check(mdb_cursor_del(cursor, 0), "mdb_cursor_del")
    }
}
