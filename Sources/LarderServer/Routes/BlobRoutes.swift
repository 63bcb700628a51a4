import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import LarderStore
import Logging

/// `/blobs`: content-addressed reads, uploads, deletes and pins.
struct BlobRoutes<Context: ConnectionAwareContext>: Sendable {
    let store: BlobStore
    let metrics: LarderMetrics
    let streams: BodyStreamGate

    func register(on router: Router<Context>) {
        router.get("/blobs", use: list)
        router.post("/blobs", use: upload)
        router.get("/blobs/:digest", use: { request, context in try get(request, context, headOnly: false) })
        router.head("/blobs/:digest", use: { request, context in try get(request, context, headOnly: true) })
        router.put("/blobs/:digest", use: upload)
        router.delete("/blobs/:digest", use: delete)
        router.put("/blobs/:digest/pin", use: { request, context in try await pin(request, context, pinned: true) })
        router.delete("/blobs/:digest/pin", use: { request, context in try await pin(request, context, pinned: false) })
    }

    @Sendable func get(_ request: Request, _ context: Context, headOnly: Bool) throws -> Response {
        let digest = try RouteSupport.digest(context)
        guard let handle = try store.open(digest) else {
            metrics.misses.increment()
            throw LarderError.notFound("blob_not_found", "blob \(digest) is not in the store")
        }
        metrics.hits.increment()
        return try BlobResponse.make(
            request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams, source: .stored(handle), length: handle.record.size,
            digest: digest, mediaType: handle.record.mediaType, cache: .hit, headOnly: headOnly)
    }

    /// `PUT /blobs/<digest>` (verified against the digest) and `POST /blobs` (digest computed).
    @Sendable func upload(_ request: Request, _ context: Context) async throws -> Response {
        let expected: BlobDigest? = request.method == .put ? try RouteSupport.digest(context) : nil
        let length = try declaredLength(request)
        if let expected, let existing = try store.record(expected) {
            for try await _ in request.body {}
            return try RouteSupport.json(UploadResult(record: existing, created: false), status: .created)
        }
        let writer: BlobWriter
        do {
            writer = try await store.makeWriter(expected: expected, expectedSize: length,
                                                mediaType: request.headers[.contentType], source: "upload")
        } catch {
            throw LarderError.store(error)
        }
        let record: BlobRecord
        do {
            record = try await writer.write(request.body, expectedSize: length)
        } catch {
            context.logger.debug("upload failed", metadata: ["error": "\(error)"])
            throw LarderError.store(error)
        }
        // The store keeps the copy it already had (another id) when the same content was stored before.
        let created = record.id == writer.id
        var response = try RouteSupport.json(UploadResult(record: record, created: created), status: .created)
        response.headers[.location] = "/blobs/\(record.digest)"
        response.headers[.dockerContentDigest] = record.digest.description
        return response
    }

    @Sendable func delete(_ request: Request, _ context: Context) async throws -> Response {
        let digest = try RouteSupport.digest(context)
        guard try await store.delete(digest) else {
            throw LarderError.notFound("blob_not_found", "blob \(digest) is not in the store")
        }
        return Response(status: .noContent)
    }

    func pin(_ request: Request, _ context: Context, pinned: Bool) async throws -> Response {
        let digest = try RouteSupport.digest(context)
        guard try await store.setPinned(digest, pinned) else {
            throw LarderError.notFound("blob_not_found", "blob \(digest) is not in the store")
        }
        guard let record = try store.record(digest) else {
            throw LarderError.notFound("blob_not_found", "blob \(digest) is not in the store")
        }
        return try RouteSupport.json(record)
    }

    @Sendable func list(_ request: Request, _ context: Context) throws -> Response {
        try RouteSupport.json(try store.listings())
    }

    private func declaredLength(_ request: Request) throws -> Int64? {
        guard let text = request.headers[.contentLength] else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw LarderError.invalidRequest("invalid_content_length", "Content-Length \"\(text.prefix(40))\" is not a byte count")
        }
        return value
    }
}

/// The answer to an upload.
struct UploadResult: Codable {
    var digest: BlobDigest
    var size: Int64
    /// False when the blob was already stored (uploads are idempotent).
    var created: Bool

    init(record: BlobRecord, created: Bool) {
        self.digest = record.digest
        self.size = record.size
        self.created = created
    }
}
