import Crypto
import Foundation
import LarderAPI
import LMDB
import Synchronization

/// Streams one blob into the store: bytes are hashed and cut into chunks as they arrive, chunks are committed in
/// the background (group commit on the writer thread), and ``finish()`` verifies the digest and publishes the
/// blob. A writer dropped or aborted before `finish()` removes what it wrote.
///
/// A writer belongs to one task at a time (`append` and `finish` must not run concurrently); the progress it
/// reports (``committedBytes``) may be read from anywhere.
public final class BlobWriter: Sendable {
    /// The internal id the chunks are written under; readers of a fill in progress read chunks by it.
    public let id: UInt64
    /// The digest the caller expects, if any.
    public let expected: BlobDigest?
    private let store: BlobStore
    private let metadata: Metadata
    private let chunkSize: Int
    private let progress: Mutex<Progress>
    private let ingest: Mutex<Ingest>

    struct Metadata: Sendable {
        var mediaType: String?
        var source: String?
        var pinned: Bool
    }

    private struct Progress {
        var submittedChunks = 0
        var committedChunks = 0
        var committedBytes: Int64 = 0
        var failure: (any Error)?
        var waiter: CheckedContinuation<Void, any Error>?
        var waitingFor = 0
        var finished = false
        var observers: [@Sendable (Int64) -> Void] = []
    }

    private struct Ingest {
        var hasher = SHA256()
        var buffer: [UInt8] = []
        var fullChunks: [[UInt8]] = []
        var totalBytes: Int64 = 0
        var reserved: Int64
        /// Blobs claimed for this write's space: evicted (as far as needed) when it is published, given back
        /// when it fails.
        var claims: [BlobRecord]
    }

    init(store: BlobStore, id: UInt64, expected: BlobDigest?, reserved: Int64, claims: [BlobRecord], metadata: Metadata) {
        self.store = store
        self.id = id
        self.expected = expected
        self.metadata = metadata
        self.chunkSize = store.configuration.chunkSize
        self.progress = Mutex(Progress())
        var ingest = Ingest(reserved: reserved, claims: claims)
        ingest.buffer.reserveCapacity(chunkSize)
        self.ingest = Mutex(ingest)
    }

    deinit {
        let unfinished = progress.withLock { !$0.finished }
        if unfinished {
            let (reserved, claims) = ingest.withLock { ($0.reserved, $0.claims) }
            store.discardWrite(id: id, reserved: reserved, claims: claims)
        }
    }

    /// Bytes committed so far: a reader may serve `[0, committedBytes)` of a fill in progress.
    public var committedBytes: Int64 {
        progress.withLock { $0.committedBytes }
    }

    /// Registers `observer` to be called (on the writer thread) with the committed byte count after each commit.
    public func observeCommits(_ observer: @escaping @Sendable (Int64) -> Void) {
        progress.withLock { $0.observers.append(observer) }
    }

    /// Hashes `bytes` and cuts them into chunks without waiting; call ``drain()`` afterwards to queue the
    /// completed chunks for commit. (Split in two so callers can pass a borrowed buffer from synchronous code.)
    public func buffer(_ bytes: UnsafeRawBufferPointer) {
        let size = chunkSize
        ingest.withLock { ingest in
            ingest.hasher.update(bufferPointer: bytes)
            ingest.totalBytes += Int64(bytes.count)
            var rest = bytes[...]
            while !rest.isEmpty {
                let take = min(size - ingest.buffer.count, rest.count)
                ingest.buffer.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                if ingest.buffer.count == size {
                    ingest.fullChunks.append(ingest.buffer)
                    ingest.buffer = []
                    ingest.buffer.reserveCapacity(size)
                }
            }
        }
    }

    /// Queues the chunks completed by ``buffer(_:)`` for commit, reserving more space when the blob outgrows its
    /// reservation, and waits while too many chunks are queued (back-pressure).
    public func drain() async throws {
        if progress.withLock({ $0.finished }) { throw StoreError.writeAborted }
        let (chunks, needsSpace) = ingest.withLock { ingest in
            let chunks = ingest.fullChunks
            ingest.fullChunks.removeAll()
            return (chunks, max(0, ingest.totalBytes - ingest.reserved))
        }
        if needsSpace > 0 {
            // The size was unknown or understated: reserve more, several chunks at a time to keep this rare.
            let more = max(needsSpace, Int64(chunkSize) * 16)
            // Claimed blobs stay stored until this write is published: a write refused later evicts nothing.
            do {
                let claims = try await store.reserve(more)
                ingest.withLock { $0.reserved += more; $0.claims += claims }
            } catch StoreError.insufficientStorage where more > needsSpace {
                let claims = try await store.reserve(needsSpace)
                ingest.withLock { $0.reserved += needsSpace; $0.claims += claims }
            }
        }
        for chunk in chunks {
            try await submit(chunk)
        }
    }

    /// Appends the bytes of `array`.
    public func append(_ array: [UInt8]) async throws {
        array.withUnsafeBytes { buffer($0) }
        try await drain()
    }

    /// Writes the last chunk, waits for every commit, verifies the digest and size, and publishes the blob.
    ///
    /// - Parameter expectedSize: when given, a different byte count fails with ``StoreError/sizeMismatch(expected:actual:)``.
    /// - Returns: the published record (an existing one when the same content was already stored).
    /// - Parameter refs: names to point at the blob, written in the same transaction that publishes it (so a
    ///   request arriving after `finish` returns finds the name), each with its attributes.
    public func finish(expectedSize: Int64? = nil, refs: [String: [String: String]] = [:]) async throws -> BlobRecord {
        if progress.withLock({ $0.finished }) { throw StoreError.writeAborted }
        do {
            return try await verifyAndPublish(expectedSize: expectedSize, refs: refs)
        } catch {
            abort()
            throw error
        }
    }

    private func verifyAndPublish(expectedSize: Int64?, refs: [String: [String: String]]) async throws -> BlobRecord {
        let (lastChunk, digest, total, reserved, claims) = ingest.withLock { ingest in
            let last = ingest.buffer
            ingest.buffer = []
            return (last, BlobDigest(ingest.hasher.finalize()), ingest.totalBytes, ingest.reserved, ingest.claims)
        }
        // The last chunk is written in the publishing transaction: one commit (and one fdatasync) less between the
        // upstream's last byte and the clients' (cold fills paid for two in a row).
        let tailIndex: Int? = lastChunk.isEmpty ? nil : progress.withLock { progress in
            defer { progress.submittedChunks += 1 }
            return progress.submittedChunks
        }
        try await waitForCommits(upTo: tailIndex ?? progress.withLock { $0.submittedChunks })
        if let expectedSize, expectedSize != total {
            throw StoreError.sizeMismatch(expected: expectedSize, actual: total)
        }
        if let expected, expected != digest {
            throw StoreError.digestMismatch(expected: expected, actual: digest)
        }
        let record = BlobRecord(
            digest: digest, id: id, size: total, chunkSize: chunkSize, mediaType: metadata.mediaType,
            created: Date().timeIntervalSince1970, lastAccess: Date().timeIntervalSince1970,
            pinned: metadata.pinned, source: metadata.source)
        let tail = tailIndex.map { (key: StoreKeys.chunk(id: id, index: $0), bytes: lastChunk) }
        let published = try await store.publish(record, reserved: reserved, claims: claims, refs: refs, tail: tail)
        progress.withLock { $0.finished = true }
        if tail != nil { chunkCommitted(.success(()), bytes: Int64(lastChunk.count)) }
        return published
    }

    /// Abandons the write and removes its chunks.
    public func abort() {
        let wasFinished = progress.withLock { progress in
            let was = progress.finished
            progress.finished = true
            return was
        }
        if !wasFinished {
            let (reserved, claims) = ingest.withLock { ($0.reserved, $0.claims) }
            store.discardWrite(id: id, reserved: reserved, claims: claims)
        }
    }

    private func submit(_ chunk: [UInt8]) async throws {
        let index = progress.withLock { progress in
            let index = progress.submittedChunks
            progress.submittedChunks += 1
            return index
        }
        let key = StoreKeys.chunk(id: id, index: index)
        let chunkBytes = Int64(chunk.count)
        let chunks = store.databases.chunks
        store.writes.submit({ txn in
            try txn.put(chunks, key: key, value: chunk)
        }, completion: { [weak self] outcome in
            self?.chunkCommitted(outcome, bytes: chunkBytes)
        })
        try await waitForCommits(upTo: index + 1 - store.configuration.maxChunksInFlight)
    }

    private func chunkCommitted(_ outcome: Result<Void, any Error>, bytes: Int64) {
        let (waiter, observers, committed): (CheckedContinuation<Void, any Error>?, [@Sendable (Int64) -> Void], Int64) =
            progress.withLock { progress in
                switch outcome {
                case .success:
                    progress.committedChunks += 1
                    progress.committedBytes += bytes
                case .failure(let error):
                    if progress.failure == nil { progress.failure = error }
                }
                var waiter: CheckedContinuation<Void, any Error>?
                if progress.waiter != nil, progress.failure != nil || progress.committedChunks >= progress.waitingFor {
                    waiter = progress.waiter
                    progress.waiter = nil
                }
                return (waiter, progress.observers, progress.committedBytes)
            }
        if let waiter {
            if let failure = progress.withLock({ $0.failure }) {
                waiter.resume(throwing: failure)
            } else {
                waiter.resume()
            }
        }
        for observer in observers { observer(committed) }
    }

    private func waitForCommits(upTo count: Int) async throws {
        guard count > 0 else {
            if let failure = progress.withLock({ $0.failure }) { throw failure }
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, any Error>? = progress.withLock { progress in
                if let failure = progress.failure { return .failure(failure) }
                if progress.committedChunks >= count { return .success(()) }
                progress.waiter = continuation
                progress.waitingFor = count
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}
