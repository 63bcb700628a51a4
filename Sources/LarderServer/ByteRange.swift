import Foundation

/// A single byte range of a `Range: bytes=…` request header, resolved against the entity length.
public struct ByteRange: Sendable, Equatable {
    /// First byte, inclusive.
    public let start: Int64
    /// Last byte, inclusive.
    public let end: Int64

    /// Number of bytes in the range.
    public var count: Int64 { end - start + 1 }

    /// The outcome of looking at a request's `Range` header.
    public enum Parsed: Sendable, Equatable {
        /// No usable range: answer the whole entity with 200 (no header, another unit, or several ranges).
        case whole
        /// Answer 206 with this range.
        case partial(ByteRange)
        /// Answer 416: the range is malformed or lies beyond the end.
        case unsatisfiable(String)
    }

    /// Interprets `header` (e.g. `bytes=0-99`, `bytes=100-`, `bytes=-500`) for an entity of `length` bytes.
    public static func parse(_ header: String?, length: Int64) -> Parsed {
        guard let header else { return .whole }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        if spec.contains(",") { return .whole }
        guard let dash = spec.firstIndex(of: "-") else { return .unsatisfiable("malformed range \"\(header)\"") }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ text: String) -> Int64? {
            guard !text.isEmpty, text.count <= 19, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int64(text)
        }
        if first.isEmpty {
            guard let suffix = number(last), suffix > 0 else { return .unsatisfiable("malformed range \"\(header)\"") }
            guard length > 0 else { return .unsatisfiable("range \"\(header)\" of an empty entity") }
            return .partial(ByteRange(start: max(0, length - suffix), end: length - 1))
        }
        guard let start = number(first) else { return .unsatisfiable("malformed range \"\(header)\"") }
        var end = length - 1
        if !last.isEmpty {
            guard let value = number(last), value >= start else { return .unsatisfiable("malformed range \"\(header)\"") }
            end = min(value, length - 1)
        }
        guard start < length else {
            return .unsatisfiable("range \"\(header)\" starts at or beyond the end (\(length) bytes)")
        }
        return .partial(ByteRange(start: start, end: end))
    }
}
