/// Accumulates the header lines libcurl hands to `CURLOPT_HEADERFUNCTION` for one exchange.
///
/// Interim `1xx` blocks are skipped; ``consume(_:)`` reports when the final block is complete.
struct ResponseHeaderParser {
    /// Status code of the latest status line (0 before one arrived).
    private(set) var status = 0
    /// Fields of the current header block.
    private(set) var fields: [(name: String, value: String)] = []
    /// Whether a final (non-`1xx`) header block has been completed; later lines (trailers) are ignored.
    private(set) var isComplete = false

    /// Feeds one raw header line (its line terminator may be present); returns `true` when it completed
    /// the final block.
    mutating func consume(_ rawLine: String) -> Bool {
        guard !isComplete else { return false }
        // Work on scalars: "\r\n" is a single Character, so Character comparisons would miss it.
        var scalars = Substring(rawLine).unicodeScalars
        while let last = scalars.last, last == "\r" || last == "\n" {
            scalars.removeLast()
        }
        let line = Substring(scalars)
        if line.isEmpty {
            guard status >= 200 else {
                // End of an interim (1xx) block, or stray blank line: wait for the real response.
                status = 0
                fields = []
                return false
            }
            isComplete = true
            return true
        }
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
            fields = []
            return false
        }
        if let first = line.first, first == " " || first == "\t", let lastIndex = fields.indices.last {
            // Obsolete line folding: continuation of the previous value.
            fields[lastIndex].value += " " + line.trimmingSpaces()
            return false
        }
        guard let colon = line.firstIndex(of: ":") else { return false }
        let name = line[..<colon].trimmingSpaces()
        let value = line[line.index(after: colon)...].trimmingSpaces()
        guard !name.isEmpty else { return false }
        fields.append((name: name, value: value))
        return false
    }

    /// The last value of the field called `name` (case-insensitive).
    func value(_ name: String) -> String? {
        let wanted = name.lowercased()
        return fields.last { $0.name.lowercased() == wanted }?.value
    }
}

/// A parsed `Content-Range: bytes first-last/total` value.
struct ContentRange: Equatable {
    /// Offset of the first byte in the entity.
    var first: Int64
    /// Offset of the last byte (inclusive).
    var last: Int64
    /// Complete entity length, `nil` for `*`.
    var total: Int64?

    /// Creates a range from its parts.
    init(first: Int64, last: Int64, total: Int64?) {
        self.first = first
        self.last = last
        self.total = total
    }

    /// Parses `bytes a-b/total`; returns `nil` for anything else (including `bytes */total`).
    init?(_ header: String) {
        let text = header.trimmingSpaces()
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst("bytes ".count).trimmingSpaces()
        let halves = spec.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let bounds = halves[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]),
              first >= 0, last >= first else { return nil }
        if halves[1] == "*" {
            total = nil
        } else {
            guard let total = Int64(halves[1]), total > last else { return nil }
            self.total = total
        }
        self.first = first
        self.last = last
    }

    /// Number of bytes in the range.
    var count: Int64 { last - first + 1 }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
