import Foundation

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
}
