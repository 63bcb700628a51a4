import Foundation
import LarderAPI

/// What the store knows about one complete, verified blob.
public struct BlobRecord: Sendable, Codable, Equatable {
    /// The blob's content address.
    public var digest: BlobDigest
    /// Internal number under which the blob's chunks are stored.
    public var id: UInt64
    /// Length of the content in bytes.
    public var size: Int64
    /// Length of every chunk but the last.
    public var chunkSize: Int
    /// MIME type recorded at ingest, when known.
    public var mediaType: String?
    /// When the blob was published (seconds since 1970).
    public var created: Double
    /// When the blob was last served (seconds since 1970), as flushed to disk.
    public var lastAccess: Double
    /// Pinned blobs are never evicted.
    public var pinned: Bool
    /// Where the bytes came from (a URL, `upload`, an `hf:`/`oci:` reference).
    public var source: String?

    /// Number of chunks the blob is stored in.
    public var chunkCount: Int {
        size == 0 ? 0 : Int((size + Int64(chunkSize) - 1) / Int64(chunkSize))
    }

    /// The byte range `[start, end)` within the blob covered by chunk `index`.
    public func chunkRange(_ index: Int) -> Range<Int64> {
        let start = Int64(index) * Int64(chunkSize)
        return start..<min(size, start + Int64(chunkSize))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> BlobRecord {
        try JSONDecoder().decode(BlobRecord.self, from: Data(bytes))
    }

    func encoded() throws -> Data {
        try JSONEncoder().encode(self)
    }
}
