import Foundation

/// A parsed `hf://[datasets/|spaces/|kernels/]namespace/name[@revision]` reference.
public struct HFReference: Sendable, Hashable, CustomStringConvertible {
    /// The repository.
    public var repo: HFRepoID
    /// The revision; `main` when the reference names none.
    public var revision: String
    /// Whether the reference named a revision.
    public var explicitRevision: Bool

    /// Creates a reference to `revision` of `repo`.
    public init(repo: HFRepoID, revision: String?) throws(HFInputError) {
        if let revision { try HFRevision.validate(revision) }
        self.repo = repo
        self.revision = revision ?? "main"
        self.explicitRevision = revision != nil
    }

    /// Parses `hf://…`; throws with what a reference looks like.
    public init(parsing text: String) throws(HFInputError) {
        guard text.hasPrefix("hf://") else { throw .invalidReference(String(text.prefix(200))) }
        var rest = Substring(text.dropFirst(5))
        var revision: String?
        if let at = rest.firstIndex(of: "@") {
            revision = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        var type = HFRepoType.model
        if let slash = rest.firstIndex(of: "/"), let prefixed = HFRepoType(plural: rest[..<slash]), prefixed != .model {
            type = prefixed
            rest = rest[rest.index(after: slash)...]
        }
        let repo: HFRepoID
        do {
            repo = try HFRepoID(type: type, name: rest)
        } catch {
            throw .invalidReference(String(text.prefix(200)))
        }
        if let revision, revision.isEmpty { throw .invalidReference(String(text.prefix(200))) }
        try self.init(repo: repo, revision: revision)
    }

    /// `hf://org/name@rev` (the revision only when one was named).
    public var description: String {
        "hf://" + repo.urlPath + (explicitRevision ? "@" + revision : "")
    }
}
