import LarderStore
import Synchronization
import Upstream

/// A stored blob as a request body: read slice by slice out of the store while libcurl sends it. Holds the
/// blob's lease (its handle) for as long as it exists, so the bytes cannot be evicted mid-upload.
final class StoredBlobUploadReader: UploadReader {
    private let handle: BlobHandle
    private let slicer: Mutex<BlobSliceReader>

    init(store: BlobStore, handle: BlobHandle) {
        self.handle = handle
        self.slicer = Mutex(BlobSliceReader(store: store, blobID: handle.record.id))
    }

    var length: Int64 { handle.record.size }

    func read(at offset: Int64, into target: UnsafeMutableRawBufferPointer) -> Int? {
        let chunkSize = Int64(handle.record.chunkSize)
        guard offset >= 0, offset < length, chunkSize > 0 else { return offset == length ? 0 : nil }
        let index = Int(offset / chunkSize)
        let within = Int(offset % chunkSize)
        let chunkLength = Int(min(chunkSize, length - Int64(index) * chunkSize))
        let upper = min(within + target.count, chunkLength)
        do {
            try slicer.withLock { try $0.read(chunk: index, from: within, to: upper, into: target) }
        } catch {
            return nil
        }
        return upper - within
    }
}
