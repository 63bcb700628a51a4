import LarderAPI
/// Failures of the blob store, in terms of the store (callers map them to HTTP or CLI messages).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes written do not hash to the digest the caller promised; nothing was stored.
    case digestMismatch(expected: BlobDigest, actual: BlobDigest)
    /// The blob would not fit even after evicting every unpinned blob not being served.
    case insufficientStorage(needed: Int64, available: Int64)
    /// The blob is not in the store.
    case notFound(BlobDigest)
    /// The upload ended with a different number of bytes than announced.
    case sizeMismatch(expected: Int64, actual: Int64)
    /// The write was abandoned before it completed.
    case writeAborted
    /// The data directory is in use by another process (a running `larder serve`).
    case locked(String)
    /// LMDB reported an error.
    case database(String)

    public var description: String {
        switch self {
        case .digestMismatch(let expected, let actual):
            return "content does not match its digest: expected \(expected), got \(actual)"
        case .insufficientStorage(let needed, let available):
            return "not enough space in the store: need \(ByteCount.format(needed)), at most \(ByteCount.format(available)) can be freed (pinned blobs and blobs being served are never evicted)"
        case .notFound(let digest):
            return "blob \(digest) is not in the store"
        case .sizeMismatch(let expected, let actual):
            return "expected \(expected) bytes, received \(actual)"
        case .writeAborted:
            return "the write was abandoned before it completed"
        case .locked(let message):
            return message
        case .database(let message):
            return "database error: \(message)"
        }
    }
}
