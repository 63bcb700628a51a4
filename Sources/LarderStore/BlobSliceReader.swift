import Glibc
import LMDB

/// Reads byte ranges of one stored blob's chunks: the way blob bytes leave the store for a response body.
///
/// The bytes are read with `pread` from LMDB's data file at the chunk value's offset, looked up once per chunk in a
/// short read transaction: one copy out of the page cache, no page faults on the map, and no transaction held while
/// the caller writes to a slow client. That is safe only under the **lease rule**: the caller holds a lease on the
/// blob (a `BlobHandle`, or the lease of a fill in progress) for as long as it reads, and a leased blob's chunks are
/// neither evicted nor deleted, so their pages are not freed and reused. Where the map's address is unknown the
/// bytes are copied through a read transaction instead.
public struct BlobSliceReader: Sendable {
    private let store: BlobStore
    /// The internal id of the blob read.
    public let blobID: UInt64
    /// The data-file location of the chunk read last, so consecutive slices of one chunk look it up once.
    private var located: (index: Int, location: Environment.ValueLocation?)?

    /// A reader of blob `blobID` in `store`; the caller holds the blob's lease while it reads.
    public init(store: BlobStore, blobID: UInt64) {
        self.store = store
        self.blobID = blobID
    }

    /// Copies bytes `[lower, upper)` of chunk `index` to the start of `target`, which holds at least
    /// `upper - lower` bytes.
    /// - Throws: `BlobReadError.chunkMissing` when the chunk is absent or shorter than `upper`,
    ///   `BlobReadError.readFailed` when the data file cannot be read.
    public mutating func read(chunk index: Int, from lower: Int, to upper: Int, into target: UnsafeMutableRawBufferPointer) throws {
        precondition(lower >= 0 && lower <= upper && target.count >= upper - lower, "slice outside the target")
        if located?.index != index {
            located = (index, try store.chunkLocation(id: blobID, index: index))
        }
        if let location = located?.location {
            guard location.count >= upper else { throw BlobReadError.chunkMissing(index) }
            try Self.pread(location, from: lower, to: upper, into: target)
            return
        }
        let copied = try store.withChunk(id: blobID, index: index) { bytes -> Bool in
            guard bytes.count >= upper else { return false }
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[lower..<upper]))
            return true
        }
        guard copied == true else { throw BlobReadError.chunkMissing(index) }
    }

    private static func pread(_ location: Environment.ValueLocation, from lower: Int, to upper: Int,
                              into target: UnsafeMutableRawBufferPointer) throws {
        let count = upper - lower
        var done = 0
        while done < count {
            let got = Glibc.pread(location.descriptor, target.baseAddress.map { $0 + done }, count - done,
                                  off_t(location.offset + lower + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw BlobReadError.readFailed(got < 0 ? errno : EIO) }
            done += got
        }
    }
}

/// Why a blob's bytes could not be read.
public enum BlobReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The chunk is absent or shorter than its blob's record says.
    case chunkMissing(Int)
    /// Reading the data file failed with this `errno`.
    case readFailed(Int32)

    public var description: String {
        switch self {
        case .chunkMissing(let index): return "chunk \(index) is missing from the store (run `larder verify`)"
        case .readFailed(let code): return "reading the data file failed: \(String(cString: strerror(code)))"
        }
    }
}
