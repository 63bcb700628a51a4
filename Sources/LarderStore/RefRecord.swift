import Foundation
import LarderAPI
import Synchronization

/// A name (a URL, an `hf:` or `oci:` reference) pointing at a blob, with what the protocol needs to answer for it.
public struct RefRecord: Sendable, Codable, Equatable {
    /// The blob the name points at.
    public var digest: BlobDigest
    /// When the ref was written (seconds since 1970).
    public var updated: Double
    /// Protocol details kept with the name, e.g. `content-type` or an upstream `etag`.
    public var attributes: [String: String]

    /// Creates a ref to `digest`, stamped now.
    public init(digest: BlobDigest, attributes: [String: String] = [:]) {
        self.digest = digest
        self.updated = Date().timeIntervalSince1970
        self.attributes = attributes
    }
}

extension BlobStore {
    /// The ref stored under `name`, or nil.
    public func ref(_ name: String) throws -> RefRecord? {
        try readTransaction { txn in
            guard let bytes = try txn.get(databases.refs, key: Array(name.utf8)) else { return nil }
            return try JSONDecoder().decode(RefRecord.self, from: Data(bytes))
        }
    }

    /// Points `name` at `ref.digest`, replacing any earlier ref.
    public func setRef(_ name: String, _ ref: RefRecord) async throws {
        let refs = databases.refs
        let value = try JSONEncoder().encode(ref)
        try await writes.perform { txn in
            try txn.put(refs, key: Array(name.utf8), value: value)
        }
    }

    /// Removes the ref `name`; returns whether it existed.
    @discardableResult
    public func removeRef(_ name: String) async throws -> Bool {
        let refs = databases.refs
        return try await writes.perform { txn in try txn.delete(refs, key: Array(name.utf8)) }
    }

    /// All refs whose name starts with `prefix`, in name order.
    public func refs(prefix: String = "") throws -> [(name: String, ref: RefRecord)] {
        try readTransaction { txn in
            try txn.withCursor(databases.refs) { cursor in
                let prefixBytes = Array(prefix.utf8)
                var result: [(String, RefRecord)] = []
                var entry = try cursor.seek(atLeast: prefixBytes)
                while let current = entry, current.key.starts(with: prefixBytes) {
                    let name = String(decoding: current.key, as: UTF8.self)
                    result.append((name, try JSONDecoder().decode(RefRecord.self, from: Data(current.value))))
                    entry = try cursor.next()
                }
                return result
            }
        }
    }
}
