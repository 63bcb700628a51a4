import Foundation

/// The kinds of Hub repositories, each with its URL prefix (`datasets/…`) and API collection (`/api/datasets`).
public enum HFRepoType: String, Sendable, Codable, CaseIterable {
    /// A model repository (no URL prefix).
    case model
    /// A dataset repository (`datasets/`).
    case dataset
    /// A Space (`spaces/`).
    case space
    /// A kernel repository (`kernels/`).
    case kernel

    /// The prefix in resolve URLs: empty for models, `datasets/` for datasets, …
    public var urlPrefix: String { self == .model ? "" : plural + "/" }

    /// The API collection: `models`, `datasets`, `spaces`, `kernels`.
    public var plural: String { rawValue + "s" }

    /// The type whose API collection or URL prefix is `plural`.
    public init?(plural: some StringProtocol) {
        guard let type = Self.allCases.first(where: { $0.plural == plural }) else { return nil }
        self = type
    }
}
