import LarderAPI
/// One blob with the names that point at it, as `GET /blobs` and `larder ls` show it.
public struct BlobListing: Codable, Sendable, Equatable {
    /// The blob's record.
    public var record: BlobRecord
    /// Names pointing at it (`url:…`, `hf:…`, `oci:…`).
    public var refs: [String]

    /// Pairs a record with its refs.
    public init(record: BlobRecord, refs: [String]) {
        self.record = record
        self.refs = refs
    }
}

extension BlobStore {
    /// Every blob with the refs pointing at it.
    public func listings() throws -> [BlobListing] {
        var refsByDigest: [BlobDigest: [String]] = [:]
        for entry in try refs() {
            refsByDigest[entry.ref.digest, default: []].append(entry.name)
        }
        return try list().map { BlobListing(record: $0, refs: refsByDigest[$0.digest] ?? []) }
    }
}
