import CLMDB
import Foundation

/// A handle to a named database inside an ``Environment``.
///
/// Handles are plain integers valid for the life of the environment and may be shared between threads.
public struct Database: Sendable, Hashable {
    /// LMDB's database index.
    let dbi: MDB_dbi
}
