import Foundation
import LarderAPI
@testable import LarderStore
import LarderTestSupport
import LMDB
import Testing

/// A fresh data directory for one test; `remove()` deletes it.
struct TestDirectory: Sendable {
    let path: String

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("larder-store-tests-\(safe)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func configuration(maxSize: Int64 = 64 << 20, chunkSize: Int = 4096, exclusive: Bool = true) -> StoreConfiguration {
        var configuration = StoreConfiguration(directory: path, maxSize: maxSize)
        configuration.chunkSize = chunkSize
        configuration.exclusive = exclusive
        return configuration
    }
}


enum ReadBackError: Error, CustomStringConvertible {
    case missingChunk(index: Int)
    case wrongChunkLength(index: Int, expected: Int, actual: Int)

    var description: String {
        switch self {
        case .missingChunk(let index): return "chunk \(index) is missing"
        case .wrongChunkLength(let index, let expected, let actual): return "chunk \(index) has \(actual) bytes, expected \(expected)"
        }
    }
}

/// Reads every chunk of an open handle, checking each chunk's length against the record.
func readAll(_ handle: BlobHandle) throws -> [UInt8] {
    let record = handle.record
    var out = [UInt8]()
    out.reserveCapacity(Int(record.size))
    for index in 0..<record.chunkCount {
        let expected = record.chunkRange(index).count
        guard let length = try handle.withChunk(index, { bytes -> Int in
            out.append(contentsOf: bytes)
            return bytes.count
        }) else { throw ReadBackError.missingChunk(index: index) }
        guard length == expected else { throw ReadBackError.wrongChunkLength(index: index, expected: expected, actual: length) }
    }
    return out
}

/// Opens `digest`, reads it all and releases it; nil when the store does not have it.
func readBack(_ store: BlobStore, _ digest: BlobDigest) throws -> [UInt8]? {
    guard let handle = try store.open(digest) else { return nil }
    defer { handle.release() }
    return try readAll(handle)
}

/// Whether any chunk of blob `id` (indices `0..<upTo`) is still stored.
func hasAnyChunk(_ store: BlobStore, id: UInt64, upTo count: Int = 64) throws -> Bool {
    for index in 0..<count where try store.withChunk(id: id, index: index, { _ in true }) != nil {
        return true
    }
    return false
}

final class WeakReference<Object: AnyObject>: @unchecked Sendable {
    weak var object: Object?
    init(_ object: Object) { self.object = object }
}

/// Closes `store`, drops the caller's reference and waits until the store and its LMDB environment are gone, so
/// that the directory can be opened again (LMDB must not have one environment open twice in a process).
/// Fails the test when something keeps the store alive.
func closeAndRelease(_ store: inout BlobStore?, sourceLocation: SourceLocation = #_sourceLocation) async {
    guard let open = store else { return }
    let storeReference = WeakReference(open)
    let environmentReference = WeakReference(open.environment)
    open.close()
    store = nil
    _ = consume open
    let gone = await eventually { storeReference.object == nil && environmentReference.object == nil }
    #expect(gone, "the closed store (or its LMDB environment) is still alive", sourceLocation: sourceLocation)
}

/// Direct access to a store's LMDB environment, for inspection and tampering while the store is closed.
struct RawStore {
    let environment: Environment

    init(directory: String) throws {
        var configuration = Environment.Configuration(directory: directory + "/lmdb", mapSize: 1 << 30)
        configuration.maxDatabases = 8
        environment = try Environment(configuration)
    }

    func database(_ name: String) throws -> Database {
        try environment.openDatabase(named: name, create: false)
    }

    /// All keys of database `name`, in order.
    func keys(_ name: String) throws -> [[UInt8]] {
        let db = try database(name)
        return try environment.read { txn in
            try txn.withCursor(db) { cursor in
                var keys: [[UInt8]] = []
                var entry = try cursor.first()
                while let current = entry {
                    keys.append(Array(current.key))
                    entry = try cursor.next()
                }
                return keys
            }
        }
    }

    /// The `chunks` key of chunk `index` of blob `id`: 8-byte big-endian id, 4-byte big-endian index.
    static func chunkKey(id: UInt64, index: Int) -> [UInt8] {
        var key = (0..<8).map { UInt8(truncatingIfNeeded: id >> (56 - 8 * UInt64($0))) }
        key += (0..<4).map { UInt8(truncatingIfNeeded: UInt32(index) >> (24 - 8 * UInt32($0))) }
        return key
    }

    func chunk(id: UInt64, index: Int) throws -> [UInt8]? {
        let db = try database("chunks")
        return try environment.read { txn in try txn.get(db, key: Self.chunkKey(id: id, index: index)).map { Array($0) } }
    }

    func putChunk(id: UInt64, index: Int, _ bytes: [UInt8]) throws {
        let db = try database("chunks")
        try environment.write { txn in try txn.put(db, key: Self.chunkKey(id: id, index: index), value: bytes) }
    }

    func deleteChunk(id: UInt64, index: Int) throws {
        let db = try database("chunks")
        _ = try environment.write { txn in try txn.delete(db, key: Self.chunkKey(id: id, index: index)) }
    }

    /// The ids that have chunks stored, with their chunk counts.
    func chunkCounts() throws -> [UInt64: Int] {
        var counts: [UInt64: Int] = [:]
        for key in try keys("chunks") {
            #expect(key.count == 12, "a chunks key of \(key.count) bytes")
            let id = key.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            counts[id, default: 0] += 1
        }
        return counts
    }
}

/// Opens the closed store in `directory` with the LMDB module, runs `body` and closes the environment again.
func withRawStore<Result>(_ directory: TestDirectory, _ body: (RawStore) throws -> Result) throws -> Result {
    let raw = try RawStore(directory: directory.path)
    return try body(raw)
}

extension StoreError {
    var isInsufficientStorage: Bool {
        if case .insufficientStorage = self { return true }
        return false
    }
}

extension BlobRecord {
    /// The record with `lastAccess` cleared: reads move it, everything else must stay as published.
    var ignoringAccess: BlobRecord {
        var copy = self
        copy.lastAccess = 0
        return copy
    }
}
