import Synchronization

/// A published blob opened for reading. While the handle is open the blob is not evicted or deleted; release it
/// with ``release()`` (dropping the handle releases it too).
public final class BlobHandle: Sendable {
    /// The blob's record as it was when opened.
    public let record: BlobRecord
    private let store: BlobStore
    private let released = Atomic<Bool>(false)

    init(store: BlobStore, record: BlobRecord) {
        self.store = store
        self.record = record
    }

    deinit {
        release()
    }

    /// Calls `body` with the bytes of chunk `index`; nil when the chunk is missing (a corrupt store).
    public func withChunk<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result? {
        try store.withChunk(id: record.id, index: index, body)
    }

    /// Ends the lease; later calls do nothing.
    public func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) {
            store.releaseLease(id: record.id)
        }
    }
}
