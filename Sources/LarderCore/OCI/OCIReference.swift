import LarderAPI

/// What a manifest request names: a tag (`3.12-slim`) or a digest (`sha256:…`).
public enum OCIReference: Sendable, Hashable, CustomStringConvertible {
    /// A tag, matching `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    case tag(String)
    /// A content digest.
    case digest(BlobDigest)

    /// Parses a reference: a digest when it contains `:`, else a tag.
    public init(_ text: some StringProtocol) throws(LarderFailure) {
        if text.contains(":") {
            self = .digest(try OCIDigest.parse(text))
            return
        }
        guard Self.isValidTag(text) else {
            throw .oci(.invalidRequest, .manifestInvalid,
                       "\"\(text.prefix(140))\" is neither a tag ([a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}) nor a digest (sha256:<64 hex digits>)")
        }
        self = .tag(String(text))
    }

    public var description: String {
        switch self {
        case .tag(let tag): tag
        case .digest(let digest): digest.description
        }
    }

    /// Whether `text` matches the tag grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    public static func isValidTag(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128, isWord(first) else { return false }
        return bytes.dropFirst().allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }
}

/// Digest parsing under `/v2/`: the spec's grammar (`algorithm ":" encoded`), of which the store holds sha256.
public enum OCIDigest {
    /// Parses `sha256:<64 lowercase hex>`; throws `DIGEST_INVALID` for anything else, naming why.
    public static func parse(_ text: some StringProtocol) throws(LarderFailure) -> BlobDigest {
        let shown = String(text.prefix(140))
        guard let colon = text.firstIndex(of: ":") else {
            throw .oci(.invalidRequest, .digestInvalid, "\"\(shown)\" is not a digest; expected sha256:<64 lowercase hex digits>")
        }
        let algorithm = text[..<colon]
        guard isValidAlgorithm(algorithm) else {
            throw .oci(.invalidRequest, .digestInvalid, "\"\(shown)\" is not a digest: bad algorithm \"\(algorithm.prefix(40))\"")
        }
        guard algorithm == "sha256" else {
            throw .oci(.invalidRequest, .digestInvalid, "digest algorithm \"\(algorithm.prefix(40))\" is not supported; this mirror serves sha256 digests")
        }
        guard let digest = BlobDigest(parsing: text) else {
            throw .oci(.invalidRequest, .digestInvalid, "\"\(shown)\" is not a sha256 digest; expected 64 lowercase hex digits after sha256:")
        }
        return digest
    }

    /// Whether `text` matches `[a-z0-9]+([+._-][a-z0-9]+)*`.
    static func isValidAlgorithm(_ text: some StringProtocol) -> Bool {
        let parts = text.split(omittingEmptySubsequences: false) { "+._-".contains($0) }
        return parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
    }
}
