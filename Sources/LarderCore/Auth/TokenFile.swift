import Crypto

/// The parsed content of a `--token-file`: one token per line, optionally followed by scopes, `#` comments.
///
/// ```
/// # CI uploads records of the nightly flow only
/// 3f9c0a…  runs:NightlyFlow
/// 77be21…  blobs warm        # scopes separated by spaces or commas
/// c01dfe…                    # no scope: every write
/// ```
///
/// Only SHA-256 digests of the tokens are kept in memory; a token is never logged, only its ``Entry/principal``.
public struct TokenFile: Sendable {
    /// One accepted token.
    public struct Entry: Sendable {
        /// SHA-256 of the token's bytes.
        public let digest: Digest
        /// What it may do; empty: everything.
        public let scopes: [AccessScope]
        /// A name for logs and messages that does not reveal the token: `token:<first 12 hex of its SHA-256>`.
        public let principal: String
        /// The line of the file it came from.
        public let line: Int

        /// Whether this token may do `action`: any scope allows it, or the token has none (an unclassified
        /// mutation is allowed to no one).
        public func allows(_ action: WriteAction) -> Bool {
            if case .unclassified = action { return false }
            return scopes.isEmpty || scopes.contains { $0.allows(action) }
        }
    }

    /// A line that could not be used.
    public struct LineError: Error, Sendable, CustomStringConvertible {
        /// 1-based line number.
        public let line: Int
        /// What is wrong with it.
        public let reason: String

        public var description: String { "line \(line): \(reason)" }
    }

    /// The usable tokens.
    public let entries: [Entry]
    /// Lines that were skipped (their tokens are refused): a bad scope, a token too short.
    public let errors: [LineError]

    /// Shortest token accepted: a guessable token is no protection.
    public static let minimumTokenLength = 16

    /// Parses `text`.
    public init(parsing text: String) {
        var entries: [Entry] = []
        var errors: [LineError] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let content = rawLine.prefix { $0 != "#" }
            let words = content.split { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }
            guard let token = words.first else { continue }
            guard token.utf8.count >= Self.minimumTokenLength else {
                errors.append(LineError(line: number, reason: "the token is shorter than \(Self.minimumTokenLength) characters"))
                continue
            }
            var scopes: [AccessScope] = []
            var bad: Substring?
            for word in words.dropFirst() {
                guard let scope = AccessScope(parsing: word) else { bad = word; break }
                scopes.append(scope)
            }
            if let bad {
                errors.append(LineError(line: number, reason: "unknown scope \"\(bad.prefix(60))\" (use admin, blobs, warm, runs or runs:FLOW)"))
                continue
            }
            let digest = Self.digest(token)
            entries.append(Entry(digest: digest, scopes: scopes, principal: Self.principal(digest), line: number))
        }
        self.entries = entries
        self.errors = errors
    }

    /// The entry whose token is `presented`, or nil. Every entry is compared, each in constant time over the
    /// SHA-256 digests, so the time taken says nothing about how much of a token matched.
    public func entry(for presented: Substring) -> Entry? {
        let digest = Self.digest(presented)
        var found: Entry?
        for entry in entries where entry.digest.constantTimeEquals(digest) && found == nil {
            found = entry
        }
        return found
    }

    /// A SHA-256 digest as four words, compared without an early exit.
    public struct Digest: Sendable, Equatable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        init(_ bytes: some Sequence<UInt8>) {
            var words: [UInt64] = [0, 0, 0, 0]
            for (index, byte) in bytes.prefix(32).enumerated() {
                words[index / 8] = words[index / 8] << 8 | UInt64(byte)
            }
            self.words = (words[0], words[1], words[2], words[3])
        }

        /// Whether the digests are equal, looking at every bit whatever the first difference.
        func constantTimeEquals(_ other: Digest) -> Bool {
            let difference = (words.0 ^ other.words.0) | (words.1 ^ other.words.1) | (words.2 ^ other.words.2) | (words.3 ^ other.words.3)
            return difference == 0
        }

        public static func == (a: Digest, b: Digest) -> Bool { a.constantTimeEquals(b) }

        /// The first 12 hex digits.
        var prefix: String {
            let hex = String(words.0 >> 16, radix: 16)
            return String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        }
    }

    /// SHA-256 of `token`'s UTF-8 bytes.
    static func digest(_ token: some StringProtocol) -> Digest {
        Digest(SHA256.hash(data: Array(token.utf8)))
    }

    static func principal(_ digest: Digest) -> String {
        "token:" + digest.prefix
    }
}
