import Foundation

/// Revision names: 40-hex commits, or branch and tag names under git's rules (restricted to a safe alphabet).
public enum HFRevision {
    /// Longest branch or tag name accepted.
    static let maxLength = 200

    /// Whether `text` is a full commit id (40 lowercase hex digits).
    public static func isCommit(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Checks a revision: a commit, or a ref name of `A–Z a–z 0–9 . _ - / + =` without empty components,
    /// `..`, components starting with `.`, or a `.lock` suffix (so `refs/pr/1` and `v1.0` pass).
    public static func validate(_ text: String) throws(HFInputError) {
        if isCommit(text) { return }
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { throw .invalidRevision(String(text.prefix(200))) }
        let allowed = bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "="):
                return true
            default:
                return false
            }
        }
        let components = text.split(separator: "/", omittingEmptySubsequences: false)
        guard allowed, !text.contains(".."), !text.hasSuffix(".lock"), !text.hasSuffix("."),
              components.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else {
            throw .invalidRevision(String(text.prefix(200)))
        }
    }
}
