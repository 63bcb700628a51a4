import CLMDB
import Foundation

/// An error returned by an LMDB call, carrying the `MDB_*` (or errno) code and LMDB's own message.
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The raw return code of the failed call.
    public let code: Int32
    /// The LMDB function that failed, for the log line.
    public let operation: String

    /// Creates an error for `code` returned by `operation`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The database map is full: the store needs eviction or a larger map.
    public var isMapFull: Bool { code == MDB_MAP_FULL }

    /// Readable text for logs and error bodies.
    public var description: String {
        let message = mdb_strerror(code).map { String(cString: $0) } ?? "code \(code)"
        return "\(operation): \(message)"
    }

    /// Throws an ``LMDBError`` unless `code` is `MDB_SUCCESS`; the one place return codes are checked.
    @inline(__always)
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
        if code != MDB_SUCCESS {
            throw LMDBError(code: code, operation: operation())
        }
    }
}
