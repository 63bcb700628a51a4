import LarderAPI

extension HFInputError {
    /// The HTTP error answered for it (400 with a JSON body).
    package var clientError: LarderFailure {
        switch self {
        case .invalidRepoID: return .badRequest("invalid_repo_id", description)
        case .invalidRevision: return .badRequest("invalid_revision", description)
        case .invalidPath: return .badRequest("invalid_path", description)
        case .invalidReference: return .badRequest("invalid_reference", description)
        }
    }
}
