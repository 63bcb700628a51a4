import LarderAPI

extension HFInputError {
    /// The HTTP error answered for it (400 with a JSON body).
    package var clientError: LarderFailure {
        switch self {
        case .invalidRepoID: return .invalidRequest("invalid_repo_id", description)
        case .invalidRevision: return .invalidRequest("invalid_revision", description)
        case .invalidPath: return .invalidRequest("invalid_path", description)
        case .invalidReference: return .invalidRequest("invalid_reference", description)
        }
    }
}
