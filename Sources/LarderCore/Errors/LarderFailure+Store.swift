import LarderStore

extension LarderFailure {
    /// What a client is told of a store failure: the ``LarderFailure`` for a full store, a database error or a
    /// ``StoreError``; any other error unchanged.
    public static func store(_ error: any Error) -> any Error {
        if let full = storageFull(error) { return full }
        if case .database(let reason) = StoreFailure.classify(error) {
            return LarderFailure(.internalFailure, "store_error", "database error: \(reason)")
        }
        guard let error = error as? StoreError else { return error }
        switch error {
        case .digestMismatch: return LarderFailure(.invalidRequest, "digest_mismatch", error.description + "; nothing was stored")
        case .sizeMismatch: return LarderFailure(.invalidRequest, "size_mismatch", error.description + "; nothing was stored")
        case .insufficientStorage: return LarderFailure(.storeFull, "insufficient_storage", error.description)
        case .notFound: return LarderFailure(.notFound, "blob_not_found", error.description)
        default: return LarderFailure(.internalFailure, "store_error", error.description)
        }
    }
}
