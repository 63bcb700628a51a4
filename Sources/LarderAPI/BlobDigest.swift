/// The content address of a blob: the SHA-256 of its bytes, written `sha256:<64 lowercase hex>` on the wire (in
/// URLs and JSON fields).
public struct BlobDigest: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The 32 raw digest bytes.
    public let bytes: [UInt8]

    /// Creates a digest from 32 raw bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses `sha256:<hex>` (or bare `<hex>` when `allowBare`); nil unless it is exactly 64 lowercase hex digits.
    public init?(parsing text: some StringProtocol, allowBare: Bool = false) {
        var hex = Substring(text)
        if hex.hasPrefix("sha256:") {
            hex = hex.dropFirst(7)
        } else if !allowBare {
            return nil
        }
        guard let bytes = Self.decodeHex(hex) else { return nil }
        self.bytes = bytes
    }

    /// The 64 lowercase hex digits.
    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `sha256:<hex>`.
    public var description: String { "sha256:" + hex }

    /// Orders digests by their bytes.
    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// Decodes `sha256:<hex>`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = BlobDigest(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest: \(text)"))
        }
        self = parsed
    }

    /// Encodes `sha256:<hex>`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func decodeHex(_ hex: Substring) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var i = 0
        while i < 64 {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
