import Foundation
import LarderAPI

/// What a request below the `/hf` prefix asks for, parsed and validated from the raw (percent-encoded) path.
enum HFRequestTarget: Equatable {
    /// `<repo>/resolve/<revision>/<path>`.
    case resolve(HFRepoID, revision: String, path: String)
    /// `api/<type>s/<repo>[/revision/<revision>]`.
    case info(HFRepoID, revision: String)
    /// `api/<type>s/<repo>/tree/<revision>[/<path>]`.
    case tree(HFRepoID, revision: String, path: String)
    /// `api/<type>s/<repo>/paths-info/<revision>`.
    case pathsInfo(HFRepoID, revision: String)
    /// `_import`.
    case importRevision
    /// Any other `api/…` path (answered 404, e.g. `api/agent-harnesses`).
    case unsupportedAPI(String)

    /// API operations that may follow a repository id.
    private static let operations: Set<String> = ["revision", "tree", "paths-info"]

    /// Parses `path`, the request path after the prefix (e.g. `/Systran/faster-whisper-tiny.en/resolve/main/config.json`).
    static func parse(_ path: Substring) throws(HFInputError) -> HFRequestTarget? {
        let raw = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let segments = Array(raw)
        guard let first = segments.first else { return nil }
        if first == "_import" && segments.count == 1 { return .importRevision }
        if first == "api" { return try parseAPI(Array(segments.dropFirst())) }
        var type = HFRepoType.model
        var rest = segments[...]
        if let prefixed = HFRepoType(plural: first), prefixed != .model {
            type = prefixed
            rest = rest.dropFirst()
        }
        // <repo (1 or 2 segments)>/resolve/<revision>/<path…>
        let parts = Array(rest)
        let split: Int
        if parts.count >= 5 && parts[2] == "resolve" {
            split = 2
        } else if parts.count >= 4 && parts[1] == "resolve" {
            split = 1
        } else {
            return nil
        }
        let repo = try HFRepoID(type: type, name: try decode(parts[0..<split].joined(separator: "/"), as: .repo))
        let revision = try decode(parts[split + 1], as: .revision)
        try HFRevision.validate(revision)
        let file = try decode(parts[(split + 2)...].joined(separator: "/"), as: .path)
        try HFPath.validate(file)
        return .resolve(repo, revision: revision, path: file)
    }

    private static func parseAPI(_ segments: [Substring]) throws(HFInputError) -> HFRequestTarget {
        let whole = "api/" + segments.joined(separator: "/")
        guard let plural = segments.first, let type = HFRepoType(plural: plural), segments.count >= 2 else {
            return .unsupportedAPI(whole)
        }
        let rest = Array(segments.dropFirst())
        // Repository ids have one or two segments; an operation keyword follows them.
        let repoLength: Int
        if rest.count >= 3 && operations.contains(String(rest[2])) {
            repoLength = 2
        } else if rest.count >= 2 && operations.contains(String(rest[1])) {
            repoLength = 1
        } else if rest.count <= 2 {
            repoLength = rest.count
        } else {
            return .unsupportedAPI(whole)
        }
        let repo = try HFRepoID(type: type, name: try decode(rest[0..<repoLength].joined(separator: "/"), as: .repo))
        let tail = Array(rest.dropFirst(repoLength))
        guard let operation = tail.first else { return .info(repo, revision: "main") }
        guard tail.count >= 2 else { return .unsupportedAPI(whole) }
        let revision = try decode(tail[1], as: .revision)
        try HFRevision.validate(revision)
        switch operation {
        case "revision" where tail.count == 2:
            return .info(repo, revision: revision)
        case "paths-info" where tail.count == 2:
            return .pathsInfo(repo, revision: revision)
        case "tree":
            let path = try decode(tail.dropFirst(2).joined(separator: "/"), as: .path)
            if !path.isEmpty { try HFPath.validate(path) }
            return .tree(repo, revision: revision, path: path)
        default:
            return .unsupportedAPI(whole)
        }
    }

    private enum Part { case repo, revision, path }

    /// Percent-decodes one part of the path; undecodable text is refused like an invalid value.
    private static func decode(_ text: some StringProtocol, as part: Part) throws(HFInputError) -> String {
        let string = String(text)
        guard let decoded = string.removingPercentEncoding else {
            switch part {
            case .repo: throw .invalidRepoID(String(string.prefix(200)))
            case .revision: throw .invalidRevision(String(string.prefix(200)))
            case .path: throw .invalidPath(String(string.prefix(200)))
            }
        }
        return decoded
    }
}
