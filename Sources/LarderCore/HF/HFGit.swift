import Crypto
import Foundation
import LarderAPI

/// The git object ids the Hub reports: blob ids of small files, LFS pointer files and directory trees.
public enum HFGit {
    /// The git blob id of `content`: `sha1("blob <length>\0" + content)`, 40 hex digits.
    public static func blobID(of content: some DataProtocol) -> String {
        var hasher = BlobHasher(length: Int64(content.count))
        hasher.update(content)
        return hasher.finalize()
    }

    /// Incremental git blob id for content whose length is known up front (files are streamed through it).
    public struct BlobHasher: Sendable {
        private var sha1 = Insecure.SHA1()

        /// Starts the hash of a blob of `length` bytes.
        public init(length: Int64) {
            sha1.update(data: Array("blob \(length)\0".utf8))
        }

        /// Adds content bytes.
        public mutating func update(_ bytes: some DataProtocol) {
            sha1.update(data: bytes)
        }

        /// Adds content bytes from a buffer.
        public mutating func update(bufferPointer bytes: UnsafeRawBufferPointer) {
            sha1.update(bufferPointer: bytes)
        }

        /// The 40-hex blob id.
        public func finalize() -> String {
            hex(Array(sha1.finalize()))
        }
    }

    /// The text of the git-lfs pointer file for content with `sha256` (hex) and `size`.
    public static func lfsPointer(sha256: String, size: Int64) -> String {
        "version https://git-lfs.github.com/spec/v1\noid sha256:\(sha256)\nsize \(size)\n"
    }

    /// The LFS metadata the Hub reports for a file stored in LFS: the pointer's size and blob id.
    public static func lfsInfo(sha256: String, size: Int64) -> (pointerSize: Int, pointerBlobID: String) {
        let pointer = Array(lfsPointer(sha256: sha256, size: size).utf8)
        return (pointer.count, blobID(of: pointer))
    }

    /// One entry of a git tree object.
    package struct TreeEntry {
        /// The entry's name within its directory.
        package var name: String
        /// Whether the entry is a directory (a tree).
        package var isDirectory: Bool
        /// 40-hex object id.
        package var oid: String

        /// Creates an entry.
        package init(name: String, isDirectory: Bool, oid: String) {
            self.name = name
            self.isDirectory = isDirectory
            self.oid = oid
        }
    }

    /// The git tree id of a directory with `entries` (files as mode 100644, directories as 40000), sorted as git
    /// sorts them (a directory compares as its name followed by `/`).
    package static func treeID(_ entries: [TreeEntry]) -> String {
        let sorted = entries.sorted { lhs, rhs in
            let left = Array((lhs.name + (lhs.isDirectory ? "/" : "")).utf8)
            let right = Array((rhs.name + (rhs.isDirectory ? "/" : "")).utf8)
            return left.lexicographicallyPrecedes(right)
        }
        var body: [UInt8] = []
        for entry in sorted {
            body += Array("\(entry.isDirectory ? "40000" : "100644") \(entry.name)\0".utf8)
            body += bytes(fromHex: entry.oid)
        }
        var sha1 = Insecure.SHA1()
        sha1.update(data: Array("tree \(body.count)\0".utf8))
        sha1.update(data: body)
        return hex(Array(sha1.finalize()))
    }

    package static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func bytes(fromHex hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for char in hex.utf8 {
            let value: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = char - UInt8(ascii: "A") + 10
            default: continue
            }
            if let upper = high {
                out.append(upper << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return out
    }

    /// Whether `text` is 40 lowercase hex digits (a sha1 object id).
    package static func isObjectID(_ text: String) -> Bool { HFRevision.isCommit(text) }
}
