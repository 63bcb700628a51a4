import Foundation

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
