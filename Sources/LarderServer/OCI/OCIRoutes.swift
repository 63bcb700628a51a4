import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import LarderStore

/// The pull side of the OCI Distribution Specification under `/v2/`, for containerd (`hosts.toml` mirror, `?ns=`),
/// skopeo and docker: `GET /v2/`, `GET|HEAD /v2/<name>/manifests/<reference>`, `GET|HEAD /v2/<name>/blobs/<digest>`.
/// Push methods answer 405 `UNSUPPORTED`; every failure under `/v2/` is answered in the OCI error format.
/// `DELETE /admin/oci/tags?ref=oci://REGISTRY/NAME:TAG` drops one cached tag mapping (`larder evict`).
struct OCIRoutes<Context: ConnectionAwareContext>: Sendable {
    let mirror: OCIMirror
    let store: BlobStore
    let metrics: LarderMetrics
    let streams: BodyStreamGate

    func register(on router: Router<Context>) {
        for path in ["/v2", "/v2/**"] {
            router.get(RouterPath(path), use: { request, context in try await answer(request, context, headOnly: false) })
            router.head(RouterPath(path), use: { request, context in try await answer(request, context, headOnly: true) })
            for method in [HTTPRequest.Method.put, .post, .patch, .delete] {
                router.on(RouterPath(path), method: method, use: { request, _ in try unsupported(request) })
            }
        }
        router.delete("/admin/oci/tags", use: { request, _ in try await evict(request) })
    }

    private func answer(_ request: Request, _ context: Context, headOnly: Bool) async throws -> Response {
        var response: Response
        do {
            response = try await route(request, context, headOnly: headOnly)
        } catch let failure as LarderFailure {
            throw OCIErrorResponse(failure: failure)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            // Anything else would be a plain 500 without the OCI body containerd reads.
            throw OCIErrorResponse(failure: LarderFailure(.internalFailure, "internal_error", "the server failed: \(error)"))
        }
        response.headers[.dockerDistributionAPIVersion] = "registry/2.0"
        return response
    }

    private func route(_ request: Request, _ context: Context, headOnly: Bool) async throws -> Response {
        let path = try OCIRequestPath(request.uri.path)
        let ns = request.uri.queryParameters["ns"].map(String.init)
        switch path {
        case .base:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: "{}\n")))
        case .manifest(let name, let reference):
            let target = try mirror.target(ns: ns, name: name)
            let manifest = try await mirror.manifest(target, reference)
            var response = try BlobResponse.make(
                request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams,
                source: .stored(manifest.handle), length: manifest.handle.record.size, digest: manifest.digest,
                mediaType: manifest.mediaType, cache: manifest.cache, headOnly: headOnly)
            if manifest.stale {
                response.headers[.warning] = "110 larder \"Response is Stale: \(target.host) could not be reached to revalidate this tag\""
            }
            return response
        case .blob(let name, let digest):
            let target = try mirror.target(ns: ns, name: name)
            return try await blob(request, context, target: target, digest: digest, headOnly: headOnly)
        }
    }

    private func blob(_ request: Request, _ context: Context, target: RegistryTarget, digest: BlobDigest, headOnly: Bool) async throws -> Response {
        switch try await mirror.blob(target, digest, headOnly: headOnly) {
        case .stored(let handle):
            return try BlobResponse.make(
                request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams,
                source: .stored(handle), length: handle.record.size, digest: digest, mediaType: "application/octet-stream",
                cache: .hit, headOnly: headOnly)
        case .filling(let fill, let head, let started):
            return try BlobResponse.make(
                request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams,
                source: .filling(fill, head), length: head.contentLength, digest: digest, mediaType: "application/octet-stream",
                cache: head.cacheOutcome(started: started), headOnly: headOnly)
        case .upstream(let length):
            var headers: HTTPFields = [.contentType: "application/octet-stream", .larderCache: CacheAnswer.miss.rawValue]
            headers[.dockerContentDigest] = digest.description
            headers[.eTag] = "\"\(digest)\""
            if let length { headers[.contentLength] = String(length) }
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
    }

    private func unsupported(_ request: Request) throws -> Response {
        var failure = LarderFailure.oci(.unsupportedOperation, .unsupported,
                                        "\(request.method.rawValue) is not supported: this registry is a pull-through mirror (GET and HEAD only)")
        failure.headers["Allow"] = "GET, HEAD"
        throw OCIErrorResponse(failure: failure)
    }

    /// `DELETE /admin/oci/tags?ref=oci://REGISTRY/NAME:TAG`: 200 with `{"evicted": true|false}`.
    private func evict(_ request: Request) async throws -> Response {
        guard let text = request.uri.queryParameters["ref"].map(String.init) else {
            throw LarderError.invalidRequest("missing_ref", "pass the tag as ?ref=oci://REGISTRY/NAME:TAG")
        }
        let reference = try OCIImageReference(parsing: text)
        guard case .tag(let tag) = reference.reference else {
            throw LarderError.invalidRequest("invalid_reference", "\(text.prefix(200)) names a digest; only tags are cached with a TTL, evict oci://REGISTRY/NAME:TAG")
        }
        let evicted = try await mirror.evictTag(host: reference.registry, name: reference.name, tag: tag)
        return try RouteSupport.json(OCIEvictResult(reference: reference.description, evicted: evicted))
    }
}
