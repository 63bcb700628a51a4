import Foundation
import LMDB
import Testing

/// A fresh directory for one test, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lmdb-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

private struct Boom: Error {}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func openEnvironment(_ directory: TempDirectory, mapSize: Int = 16 << 20) throws -> Environment {
    try Environment(Environment.Configuration(directory: directory.path + "/env", mapSize: mapSize))
}

/// The value under `key` as an array (copied out of the map), or nil.
private func value(_ env: Environment, _ db: Database, _ key: String) throws -> [UInt8]? {
    try env.read { txn in try txn.get(db, key: bytes(key)).map { Array($0) } }
}

@Suite("LMDB environment")
struct EnvironmentTests {
    @Test("put, get, overwrite and delete round trip, also after reopening")
    func roundTrip() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        do {
            let env = try openEnvironment(dir)
            let db = try env.openDatabase(named: "things")
            #expect(try value(env, db, "a") == nil)

            try env.write { txn in
                try txn.put(db, key: bytes("a"), value: bytes("alpha"))
                try txn.put(db, key: bytes("b"), value: [UInt8](repeating: 7, count: 10_000))
            }
            #expect(try value(env, db, "a") == bytes("alpha"))
            #expect(try value(env, db, "b") == [UInt8](repeating: 7, count: 10_000))
            #expect(try env.read { try $0.count(db) } == 2)

            try env.write { txn in try txn.put(db, key: bytes("a"), value: bytes("ALPHA!")) }
            #expect(try value(env, db, "a") == bytes("ALPHA!"))

            let deleted = try env.write { txn in try txn.delete(db, key: bytes("b")) }
            #expect(deleted)
            let deletedAgain = try env.write { txn in try txn.delete(db, key: bytes("b")) }
            #expect(!deletedAgain)
            #expect(try value(env, db, "b") == nil)
            #expect(try env.read { try $0.count(db) } == 1)
        }
        // The data survives closing and reopening the environment.
        let env = try openEnvironment(dir)
        let db = try env.openDatabase(named: "things", create: false)
        #expect(try value(env, db, "a") == bytes("ALPHA!"))
        #expect(try value(env, db, "b") == nil)
    }

    @Test("opening a missing database without create fails with an LMDBError")
    func missingDatabase() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let env = try openEnvironment(dir)
        #expect(throws: LMDBError.self) { try env.openDatabase(named: "nope", create: false) }
    }

    @Test("cursors walk keys in byte order and seek(atLeast:) lands on the first key >= the probe")
    func cursorOrder() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let env = try openEnvironment(dir)
        let db = try env.openDatabase(named: "ordered")
        // Inserted out of order; big-endian integers and strings of different lengths.
        let keys: [[UInt8]] = [[0x02, 0x00], [0x01], [0x01, 0xFF], [0x00, 0x10], [0xFF], [0x01, 0x00], [0x10]]
        try env.write { txn in
            for (n, key) in keys.enumerated() { try txn.put(db, key: key, value: [UInt8(n)]) }
        }
        let walked: [[UInt8]] = try env.read { txn in
            try txn.withCursor(db) { cursor in
                var result: [[UInt8]] = []
                var entry = try cursor.first()
                while let current = entry {
                    result.append(Array(current.key))
                    entry = try cursor.next()
                }
                return result
            }
        }
        #expect(walked == [[0x00, 0x10], [0x01], [0x01, 0x00], [0x01, 0xFF], [0x02, 0x00], [0x10], [0xFF]])

        let seeks: [[UInt8]?] = try env.read { txn in
            try txn.withCursor(db) { cursor in
                [
                    try cursor.seek(atLeast: [0x01, 0x00]).map { Array($0.key) },   // exact hit
                    try cursor.seek(atLeast: [0x01, 0x01]).map { Array($0.key) },   // between keys
                    try cursor.seek(atLeast: [0x00]).map { Array($0.key) },         // before the first
                    try cursor.seek(atLeast: [0xFF, 0x00]).map { Array($0.key) },   // past the last
                ]
            }
        }
        #expect(seeks == [[0x01, 0x00], [0x01, 0xFF], [0x00, 0x10], nil])

        // After a seek, next() continues in order; the value belongs to the key.
        let afterSeek: (key: [UInt8], value: [UInt8])? = try env.read { txn in
            try txn.withCursor(db) { cursor in
                _ = try cursor.seek(atLeast: [0x01, 0x01])
                return try cursor.next().map { (Array($0.key), Array($0.value)) }
            }
        }
        #expect(afterSeek?.key == [0x02, 0x00])
        #expect(afterSeek?.value == [0])

        // The empty key precedes every key: seeking it lands on the first entry.
        let fromEmpty: [UInt8]? = try env.read { txn in
            try txn.withCursor(db) { cursor in try cursor.seek(atLeast: [UInt8]()).map { Array($0.key) } }
        }
        #expect(fromEmpty == [0x00, 0x10])

        // An empty database has no first entry.
        let empty = try env.openDatabase(named: "empty")
        #expect(try env.read { txn in try txn.withCursor(empty) { try $0.first() == nil } })
    }

    @Test("deleteCurrent removes the entry under the cursor in a write transaction")
    func cursorDelete() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let env = try openEnvironment(dir)
        let db = try env.openDatabase(named: "d")
        try env.write { txn in
            for k in ["a", "b", "c"] { try txn.put(db, key: bytes(k), value: bytes(k)) }
        }
        try env.write { txn in
            try txn.withCursor(db) { cursor in
                _ = try cursor.seek(atLeast: bytes("b"))
                try cursor.deleteCurrent()
            }
        }
        #expect(try value(env, db, "a") == bytes("a"))
        #expect(try value(env, db, "b") == nil)
        #expect(try value(env, db, "c") == bytes("c"))
    }

    @Test("a write closure that throws aborts: none of its changes become visible")
    func throwingWriteAborts() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let env = try openEnvironment(dir)
        let db = try env.openDatabase(named: "t")
        try env.write { txn in try txn.put(db, key: bytes("kept"), value: bytes("old")) }

        #expect(throws: Boom.self) {
            try env.write { txn in
                try txn.put(db, key: bytes("new"), value: bytes("x"))
                try txn.put(db, key: bytes("kept"), value: bytes("changed"))
                _ = try txn.delete(db, key: bytes("kept"))
                throw Boom()
            }
        }
        #expect(try value(env, db, "new") == nil)
        #expect(try value(env, db, "kept") == bytes("old"))
        // The writer lock was released: a later write goes through.
        try env.write { txn in try txn.put(db, key: bytes("after"), value: bytes("y")) }
        #expect(try value(env, db, "after") == bytes("y"))
    }

    @Test("a read transaction sees the snapshot it began with while another thread commits")
    func readSnapshot() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let env = try openEnvironment(dir)
        let db = try env.openDatabase(named: "s")
        try env.write { txn in
            try txn.put(db, key: bytes("x"), value: bytes("1"))
            try txn.put(db, key: bytes("y"), value: bytes("1"))
        }
        let seen: (before: [UInt8]?, after: [UInt8]?, y: [UInt8]?, z: [UInt8]?, count: Int, committed: Bool) = try env.read { txn in
            let before = try txn.get(db, key: bytes("x")).map { Array($0) }
            // Commit a change on another thread while this read transaction is open.
            let outcome = Result<Void, any Error>.blockingOnThread {
                try env.write { w in
                    try w.put(db, key: bytes("x"), value: bytes("2"))
                    _ = try w.delete(db, key: bytes("y"))
                    try w.put(db, key: bytes("z"), value: bytes("3"))
                }
            }
            let committed = (try? outcome.get()) != nil
            return (before, try txn.get(db, key: bytes("x")).map { Array($0) },
                    try txn.get(db, key: bytes("y")).map { Array($0) },
                    try txn.get(db, key: bytes("z")).map { Array($0) },
                    try txn.count(db), committed)
        }
        #expect(seen.committed)
        #expect(seen.before == bytes("1"))
        #expect(seen.after == bytes("1"))
        #expect(seen.y == bytes("1"))
        #expect(seen.z == nil)
        #expect(seen.count == 2)
        // A new read transaction sees the commit.
        #expect(try value(env, db, "x") == bytes("2"))
        #expect(try value(env, db, "y") == nil)
        #expect(try value(env, db, "z") == bytes("3"))
    }

    @Test("filling a tiny map fails with an LMDBError whose isMapFull is set, and the environment stays usable")
    func mapFull() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let env = try openEnvironment(dir, mapSize: 256 * 1024)
        let db = try env.openDatabase(named: "big")
        try env.write { txn in try txn.put(db, key: bytes("small"), value: bytes("fits")) }

        var caught: LMDBError?
        do {
            try env.write { txn in
                for i in 0..<64 {
                    try txn.put(db, key: bytes("k\(i)"), value: [UInt8](repeating: UInt8(i), count: 64 * 1024))
                }
            }
        } catch let error as LMDBError {
            caught = error
        }
        let error = try #require(caught)
        #expect(error.isMapFull)
        #expect(!LMDBError(code: 0, operation: "x").isMapFull)
        #expect(error.description.contains("mdb_"))
        // The failed transaction left nothing behind and the earlier data is intact.
        #expect(try value(env, db, "k0") == nil)
        #expect(try value(env, db, "small") == bytes("fits"))
        #expect(try env.read { try $0.count(db) } == 1)
    }

    @Test("usage reports the configured map size and a page size")
    func usage() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let env = try openEnvironment(dir, mapSize: 8 << 20)
        let before = env.usage()
        #expect(before.mapSize == 8 << 20)
        #expect(before.pageSize >= 512)
        let db = try env.openDatabase(named: "u")
        try env.write { txn in try txn.put(db, key: bytes("v"), value: [UInt8](repeating: 1, count: 200_000)) }
        #expect(env.usage().usedBytes >= before.usedBytes + 200_000)
    }
}

extension Result where Failure == any Error {
    /// Runs `body` on a new thread and waits for it.
    static func blockingOnThread(_ body: @escaping @Sendable () throws -> Success) -> Self where Success: Sendable {
        let box = ThreadResult<Success>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.set(Result { try body() })
            done.signal()
        }
        thread.start()
        done.wait()
        return box.get()!
    }
}

private final class ThreadResult<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<Value, any Error>?
    func set(_ v: Result<Value, any Error>) { lock.withLock { value = v } }
    func get() -> Result<Value, any Error>? { lock.withLock { value } }
}
