import ArgumentParser
import LarderAPI
import LarderClient
import LarderStore

/// A blob named on the command line: a full digest, or a unique prefix of one (like git's abbreviated ids),
/// with or without `sha256:`.
struct DigestArgument {
    /// The least number of hex digits a prefix must have.
    static let minimumPrefix = 4

    /// The full digest, when the argument is one.
    let full: BlobDigest?
    /// The lowercase hex digits given.
    let hexPrefix: String
    /// The argument as typed.
    let text: String

    /// Parses `text`; throws a usage error when it is neither a digest nor a hex prefix of one.
    init(_ text: String) throws {
        self.text = text
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        let isHex = !hex.isEmpty && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
        guard isHex, hex.count <= 64, hex.count >= Self.minimumPrefix else {
            throw ValidationError("\"\(text)\" is not a digest; expected sha256:<64 lowercase hex digits> or a unique prefix of at least \(Self.minimumPrefix) digits")
        }
        self.hexPrefix = hex
        self.full = hex.count == 64 ? BlobDigest(parsing: hex, allowBare: true) : nil
    }

    /// The stored blob this argument names; a full digest is used as is (the backend reports a missing blob).
    /// - Throws: ``ClientError`` when no stored blob, or more than one, starts with the prefix.
    func resolve(using backend: any LarderBackend) async throws -> BlobDigest {
        if let full { return full }
        let matches = try await backend.list().map(\.record.digest).filter { $0.hex.hasPrefix(hexPrefix) }
        switch matches.count {
        case 1:
            return matches[0]
        case 0:
            throw ClientError("no stored blob has a digest starting with \(text); see `larder ls`")
        default:
            let shown = matches.prefix(3).map { String($0.description.prefix(20)) + "…" }.joined(separator: ", ")
            throw ClientError("\(text) is ambiguous: \(matches.count) stored blobs start with it (\(shown)); give more digits")
        }
    }
}
