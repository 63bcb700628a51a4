import Foundation

/// File paths inside a repository.
public enum HFPath {
    /// Longest path accepted, in UTF-8 bytes.
    static let maxLength = 1000

    /// Checks a repository path: relative, `/`-separated, without empty, `.` or `..` components, backslashes or
    /// control characters. Paths never touch the file system on the server (they are keys), but exports write
    /// them below a directory, so the same rule protects both.
    public static func validate(_ path: String) throws(HFInputError) {
        let bytes = path.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength,
              !bytes.contains(where: { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "\\") }) else {
            throw .invalidPath(String(path.prefix(200)))
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw .invalidPath(String(path.prefix(200)))
            }
        }
    }
}
