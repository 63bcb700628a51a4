import Glibc
import LMDB

/// What a failure of the store's engine means to a caller that does not know the engine.
///
/// The store throws its engine's errors through (LMDB's, from commits and reads); callers that map failures to
/// answers (the HTTP layer's 507 and 500) classify them here instead of importing the engine.
public enum StoreFailure: Sendable, Equatable {
    /// The store's map or its disk is full; nothing was stored. The text names the engine's error.
    case storageFull(String)
    /// Any other error of the engine.
    case database(String)

    /// The classification of `error`, or nil when it is not an engine error.
    ///
    /// LMDB reports a write cut short by a full filesystem as `EIO` from `mdb_txn_commit` ("short write,
    /// filesystem full?"), so that counts as full too.
    public static func classify(_ error: any Error) -> StoreFailure? {
        guard let error = error as? LMDBError else { return nil }
        let shortWrite = error.code == EIO && error.operation.hasPrefix("mdb_txn_commit")
        if error.isMapFull || error.code == ENOSPC || shortWrite { return .storageFull("\(error)") }
        return .database("\(error)")
    }
}
