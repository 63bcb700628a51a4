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

/// A validated repository: its type and `namespace/name` (or a legacy single-segment name such as `gpt2`).
public struct HFRepoID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The repository type.
    public let type: HFRepoType
    /// `namespace/name` or `name`.
    public let name: String

    /// Longest namespace or name part the Hub accepts.
    static let maxPartLength = 96

    /// Validates `name` (`org/model` or `model`): each part 1–96 characters of `A–Z a–z 0–9 . _ -`, not starting
    /// or ending with `.` or `-`, without `--` or `..` (the Hub's rules; they also keep names clear of paths).
    public init(type: HFRepoType, name: some StringProtocol) throws(HFInputError) {
        let text = String(name)
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ Self.isValidPart($0) }) else {
            throw .invalidRepoID(String(text.prefix(200)))
        }
        self.type = type
        self.name = text
    }

    static func isValidPart(_ part: Substring) -> Bool {
        guard !part.isEmpty, part.utf8.count <= maxPartLength else { return false }
        guard part.utf8.allSatisfy({ isNameByte($0) }) else { return false }
        guard let first = part.first, let last = part.last,
              first != "." && first != "-" && last != "." && last != "-" else { return false }
        return !part.contains("--") && !part.contains("..")
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// `model/org/name`, the key used in ref names.
    public var key: String { "\(type.rawValue)/\(name)" }

    /// The path of the repository in resolve URLs: `org/name`, `datasets/org/name`, …
    public var urlPath: String { type.urlPrefix + name }

    /// `org/name` for models, `datasets/org/name` otherwise (as `hf://` references write it).
    public var description: String { urlPath }
}

/// Revision names: 40-hex commits, or branch and tag names under git's rules (restricted to a safe alphabet).
public enum HFRevision {
    /// Longest branch or tag name accepted.
    static let maxLength = 200

    /// Whether `text` is a full commit id (40 lowercase hex digits).
    public static func isCommit(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Checks a revision: a commit, or a ref name of `A–Z a–z 0–9 . _ - / + =` without empty components,
    /// `..`, components starting with `.`, or a `.lock` suffix (so `refs/pr/1` and `v1.0` pass).
    public static func validate(_ text: String) throws(HFInputError) {
        if isCommit(text) { return }
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { throw .invalidRevision(String(text.prefix(200))) }
        let allowed = bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "="):
                return true
            default:
                return false
            }
        }
        let components = text.split(separator: "/", omittingEmptySubsequences: false)
        guard allowed, !text.contains(".."), !text.hasSuffix(".lock"), !text.hasSuffix("."),
              components.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else {
            throw .invalidRevision(String(text.prefix(200)))
        }
    }
}

/// File paths inside a repository.
public enum HFPath {
    /// Longest path accepted, in UTF-8 bytes.
    static let maxLength = 1000

    /// Checks a repository path: relative, `/`-separated, without empty, `.` or `..` components, backslashes or
    /// control characters. Paths never touch the file system on the server (they are keys), but exports write
    /// them below a directory, so the same rule protects both.
    public static func validate(_ path: String) throws(HFInputError) {
        let bytes = path.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength,
              !bytes.contains(where: { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "\\") }) else {
            throw .invalidPath(String(path.prefix(200)))
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw .invalidPath(String(path.prefix(200)))
            }
        }
    }
}

/// Why a repository id, revision or path was refused.
public enum HFInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `namespace/name` under the Hub's naming rules.
    case invalidRepoID(String)
    /// Not a commit id or an acceptable branch or tag name.
    case invalidRevision(String)
    /// Not a relative path without `.`/`..` components.
    case invalidPath(String)
    /// An `hf://` reference that does not parse.
    case invalidReference(String)

    /// The text form.
    public var description: String {
        switch self {
        case .invalidRepoID(let text):
            return "\"\(text)\" is not a repository id: expected namespace/name, each 1-96 characters of letters, digits, '.', '_', '-' (no '--' or '..', not starting or ending with '.' or '-')"
        case .invalidRevision(let text):
            return "\"\(text)\" is not a revision: expected a 40-hex commit id or a branch or tag name (letters, digits, '.', '_', '-', '/', at most \(HFRevision.maxLength) characters, no '..')"
        case .invalidPath(let text):
            return "\"\(text)\" is not a file path in a repository: expected a relative path without '.', '..' or empty components, at most \(HFPath.maxLength) bytes"
        case .invalidReference(let text):
            return "\"\(text)\" is not an hf:// reference: expected hf://[datasets/|spaces/]namespace/name[@revision]"
        }
    }

    /// The HTTP error answered for it (400 with a JSON body).
    var clientError: LarderError {
        switch self {
        case .invalidRepoID: return .badRequest("invalid_repo_id", description)
        case .invalidRevision: return .badRequest("invalid_revision", description)
        case .invalidPath: return .badRequest("invalid_path", description)
        case .invalidReference: return .badRequest("invalid_reference", description)
        }
    }
}

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
