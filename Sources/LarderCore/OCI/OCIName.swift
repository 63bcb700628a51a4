/// A repository name as the OCI Distribution Specification defines it: path components of lowercase letters and
/// digits joined by `.`, `_`, `__` or runs of `-`, separated by `/`
/// (`[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`), at most 255 characters.
public struct OCIName: Sendable, Hashable, CustomStringConvertible {
    /// The name as written, e.g. `library/python`.
    public let value: String

    /// The longest name accepted (distribution's limit).
    public static let maxLength = 255

    /// Validates `text`; throws `NAME_INVALID` saying what is wrong.
    public init(_ text: some StringProtocol) throws(LarderFailure) {
        let name = String(text)
        guard !name.isEmpty, name.utf8.count <= Self.maxLength else {
            throw .oci(.invalidRequest, .nameInvalid, "repository names have 1 to \(Self.maxLength) characters; this one has \(name.utf8.count)")
        }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard Self.isValidComponent(component) else {
                throw .oci(.invalidRequest, .nameInvalid,
                           "invalid repository name \"\(name.prefix(100))\": component \"\(component.prefix(100))\" must be lowercase letters and digits, separated by '.', '_', '__' or '-'")
            }
        }
        self.value = name
    }

    public var description: String { value }

    /// Whether `component` matches `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
    static func isValidComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        var index = 0
        while index < bytes.count {
            if isAlphanumeric(bytes[index]) {
                index += 1
                continue
            }
            // A separator run: '.', '_', '__' or one or more '-', always followed by an alphanumeric.
            var run = index
            while run < bytes.count && !isAlphanumeric(bytes[run]) { run += 1 }
            let separator = bytes[index..<run]
            let dashes = separator.allSatisfy { $0 == UInt8(ascii: "-") }
            guard dashes || separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                    || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")]) else { return false }
            index = run
        }
        return true
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
