import LarderAPI

/// Gated or private repositories the operator lets every caller read from the cache without a token of their
/// own (`--hf-public-repo`), for example a model the whole organisation accepted the licence of.
public struct HFPublicRepos: Sendable {
    private let keys: Set<String>

    /// The repositories `repos`.
    public init(_ repos: [HFRepoID] = []) {
        self.keys = Set(repos.map(\.key))
    }

    /// Whether the operator marked `repo` public.
    public func contains(_ repo: HFRepoID) -> Bool { keys.contains(repo.key) }

    /// Parses `NAMESPACE/NAME` (a model) or `TYPEs/NAMESPACE/NAME` (`datasets/…`, `spaces/…`, `kernels/…`,
    /// `models/…`); nil when it is not a repository id.
    public static func parse(_ text: String) -> HFRepoID? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3, let type = HFRepoType(plural: parts[0]) {
            return try? HFRepoID(type: type, name: parts[1...].joined(separator: "/"))
        }
        return try? HFRepoID(type: .model, name: text)
    }
}
