import LarderStore

extension LarderFailure {
    /// What a client is told of a store failure: the ``LarderFailure`` for a full store, a database error or a
    /// ``StoreError``; any other error unchanged.
    public static func store(_ error: any Error) -> any Error {
        if let full = storageFull(error) { return full }
        if case .database(let reason) = StoreFailure.classify(error) {
            return LarderFailure(.internalServerError, "store_error", "database error: \(reason)")
        }
        guard let error = error as? StoreError else { return error }
        switch error {
        case .digestMismatch: return LarderFailure(.badRequest, "digest_mismatch", error.description + "; nothing was stored")
        case .sizeMismatch: return LarderFailure(.badRequest, "size_mismatch", error.description + "; nothing was stored")
        case .insufficientStorage: return LarderFailure(.insufficientStorage, "insufficient_storage", error.description)
        case .notFound: return LarderFailure(.notFound, "blob_not_found", error.description)
        default: return LarderFailure(.internalServerError, "store_error", error.description)
        }
    }
}
