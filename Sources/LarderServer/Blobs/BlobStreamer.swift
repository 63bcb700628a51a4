import Hummingbird
import LarderCore
import LarderStore
import NIOCore

/// Writes a byte range of a stored blob, or of a fill in progress, to a response body, one chunk at a time.
///
/// Bytes are read from the store in slices of at most `sliceBytes`, one short read at a time, so a slow client
/// never holds a transaction open and a reader holds at most about three slices of memory (the one being read and
/// up to two the channel is still writing: see `eventLoop`); the
/// blob's lease keeps its chunks from being evicted meanwhile. The last byte of a fill is
/// sent only after the fill verified and published the blob, so a client never receives a complete response
/// whose content failed verification.
struct BlobStreamer: Sendable {
    /// Where the bytes come from.
    enum Source: Sendable {
        /// A published blob, held open by the handle.
        case stored(BlobHandle)
        /// A fill in progress; the streamer holds a lease on its chunks.
        case filling(Fill, Fill.Head)
    }

    let store: BlobStore
    let source: Source
    let metrics: LarderMetrics
    /// First byte to send.
    let start: Int64
    /// One past the last byte to send; nil when the length is not known yet (a fill without Content-Length).
    let end: Int64?
    /// The admission slot of this response; released with the lease.
    let slot: BodyStreamSlot?
    /// The connection's event loop. Before reading slice k + 2 the streamer waits for the loop to have run the
    /// write of slice k, so the response writer knows whether the socket is full; without that, a busy loop let a
    /// reader queue megabytes (docs/memory.md). Nil: unpaced.
    let eventLoop: (any EventLoop)?
    /// The task fetch this body is, when the request was made for a task (`/t/<token>/…`).
    var capture: FetchCapture? = nil

    /// The most bytes read into memory for one write: 64 readers hold under 100 MiB between them, and the event-loop
    /// hop that paces each write costs little per 512 KiB (256 KiB measured 1.19 x nginx for one reader, 512 KiB
    /// 0.66 x; docs/memory.md).
    static let sliceBytes: Int64 = 512 * 1024

    var blobID: UInt64 {
        switch source {
        case .stored(let handle): return handle.record.id
        case .filling(_, let head): return head.blobID
        }
    }

    /// The response body; releases the blob's lease when done, failed or abandoned.
    func body(contentLength: Int?) -> ResponseBody {
        ResponseBody(contentLength: contentLength) { writer in
            defer {
                release()
                capture?.finish()
            }
            try await write(to: &writer)
            try await writer.finish(nil)
        }
    }

    /// Releases the lease taken for this response.
    func release() {
        slot?.release()
        switch source {
        case .stored(let handle): handle.release()
        case .filling(_, let head): store.releaseLease(id: head.blobID)
        }
    }

    private func write(to writer: inout any ResponseBodyWriter) async throws {
        let allocator = ByteBufferAllocator()
        let chunkSize = Int64(store.configuration.chunkSize)
        var reader = BlobSliceReader(store: store, blobID: blobID)
        var fence: EventLoopFuture<Void>?
        var offset = start
        var end = self.end
        while end.map({ offset < $0 }) ?? true {
            let index = Int(offset / chunkSize)
            let chunkStart = Int64(index) * chunkSize
            guard let available = try await waitForChunk(index, chunkSize: chunkSize, end: &end) else { break }
            let sliceEnd = min(available, end ?? available, offset + Self.sliceBytes)
            guard sliceEnd > offset else { break }
            let lower = Int(offset - chunkStart)
            let upper = Int(sliceEnd - chunkStart)
            let count = upper - lower
            var buffer = allocator.buffer(capacity: count)
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
                try reader.read(chunk: index, from: lower, to: upper, into: target)
                return count
            }
            try await writer.write(buffer)
            metrics.bytesServed.increment(by: Int64(count))
            capture?.sent(count)
            // Pacing with one fence in flight: wait for the loop to have run the previous slice's write, not this
            // one's, so the hop overlaps the next read (a fence per slice, awaited at once, halved the speed of a
            // single reader) and a reader still holds at most two slices ahead of the socket.
            let next = eventLoop?.submit {}
            if let fence { try await fence.get() }
            fence = next
            offset = sliceEnd
        }
    }

    /// Waits until chunk `index` may be sent and returns the blob offset up to which it may be sent, or nil when
    /// the blob ends before it. Learns the length of a fill without Content-Length once the fill completes.
    private func waitForChunk(_ index: Int, chunkSize: Int64, end: inout Int64?) async throws -> Int64? {
        let chunkEnd = Int64(index + 1) * chunkSize
        switch source {
        case .stored(let handle):
            return min(chunkEnd, handle.record.size)
        case .filling(let fill, let head):
            while true {
                let snapshot = fill.snapshot
                switch snapshot.outcome {
                case .failed(let error):
                    throw error
                case .completed(let record):
                    if end == nil { end = record.size }
                    return min(chunkEnd, record.size)
                case .running:
                    // The last chunk waits for the publish: the digest check, and the ref, so that a request sent
                    // after this response completes is a hit.
                    let isLast = head.contentLength.map { chunkEnd >= $0 } ?? false
                    if !isLast && snapshot.committedBytes >= chunkEnd {
                        return chunkEnd
                    }
                }
                await fill.waitForChange(after: snapshot.version)
            }
        }
    }
}
