import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import LarderStore
import NIOCore

/// Builds 200/206/416 answers for a blob or a fill, with the headers both kinds share.
enum BlobResponse {
    /// Answers `request` with `source`, honouring a single `Range`.
    ///
    /// - Parameters:
    ///   - eventLoop: the connection's event loop, which paces the body (`BlobStreamer.eventLoop`).
    ///   - length: the full length, when known (always for stored blobs).
    ///   - digest: the content digest, when known (sent as `ETag` and `Docker-Content-Digest`).
    static func make(request: Request, eventLoop: (any EventLoop)?, store: BlobStore, metrics: LarderMetrics, streams: BodyStreamGate, source: BlobStreamer.Source,
                     length: Int64?, digest: BlobDigest?, mediaType: String?, cache: CacheAnswer?, headOnly: Bool) throws -> Response {
        var headers: HTTPFields = [:]
        headers[.contentType] = mediaType ?? "application/octet-stream"
        if let digest {
            headers[.eTag] = "\"\(digest)\""
            headers[.dockerContentDigest] = digest.description
        }
        if let cache { headers[.larderCache] = cache.rawValue }
        var status = HTTPResponse.Status.ok
        var start: Int64 = 0
        var end = length
        if let length {
            headers[.acceptRanges] = "bytes"
            var range = request.headers[.range]
            if let ifRange = request.headers[.ifRange], range != nil,
               ifRange.trimmingCharacters(in: .whitespaces) != headers[.eTag] {
                // If-Range (RFC 9110 §13.1.5): the range holds only for the representation the client has. The one
                // validator here is the strong ETag; a date, a weak or another tag gets the whole entity.
                range = nil
            }
            switch ByteRange.parse(range, length: length) {
            case .whole:
                break
            case .partial(let range):
                status = .partialContent
                start = range.start
                end = range.end + 1
                headers[.contentRange] = "bytes \(range.start)-\(range.end)/\(length)"
            case .unsatisfiable(let reason):
                release(source, store: store)
                var error = LarderError(.rangeOutsideContent, "range_not_satisfiable", reason)
                error.headers[.contentRange] = "bytes */\(length)"
                throw error
            }
        }
        let contentLength = end.map { Int($0 - start) }
        if headOnly {
            release(source, store: store)
            if let contentLength { headers[.contentLength] = String(contentLength) }
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        let slot: BodyStreamSlot
        do {
            slot = try streams.acquire()
        } catch {
            release(source, store: store)
            throw error
        }
        var streamer = BlobStreamer(store: store, source: source, metrics: metrics, start: start, end: end, slot: slot,
                                    eventLoop: eventLoop)
        // A request made below /t/<token>/ is added to that task's fetches when its body ends.
        streamer.capture = FetchCapture.make(request: request, cache: cache, source: source, digest: digest)
        return Response(status: status, headers: headers, body: streamer.body(contentLength: contentLength))
    }

    private static func release(_ source: BlobStreamer.Source, store: BlobStore) {
        switch source {
        case .stored(let handle): handle.release()
        case .filling(_, let head): store.releaseLease(id: head.blobID)
        }
    }
}
