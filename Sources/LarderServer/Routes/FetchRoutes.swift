import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import LarderStore
import Upstream

/// `GET|HEAD /fetch?url=…[&sha256=…]`: generic pull-through cache for allowed upstream URLs.
struct FetchRoutes<Context: ConnectionAwareContext>: Sendable {
    let store: BlobStore
    let fills: FillCoordinator
    let upstream: UpstreamClient
    let metrics: LarderMetrics
    let streams: BodyStreamGate

    func register(on router: Router<Context>) {
        router.get("/fetch", use: { request, context in try await fetch(request, context, headOnly: false) })
        router.head("/fetch", use: { request, context in try await fetch(request, context, headOnly: true) })
    }

    func fetch(_ request: Request, _ context: Context, headOnly: Bool) async throws -> Response {
        let (url, expected) = try parse(request)
        let refName = "url:" + url
        if let hit = try openCached(url: refName, expected: expected) {
            metrics.hits.increment()
            return try BlobResponse.make(
                request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams, source: .stored(hit), length: hit.record.size,
                digest: hit.record.digest, mediaType: hit.record.mediaType, cache: .hit, headOnly: headOnly)
        }
        if let expected, let mismatch = fills.recentMismatch(url: url, expected: expected) {
            // The upstream sent other content moments ago: say so rather than transfer it again to fail alike.
            throw mismatch
        }
        if headOnly {
            return try await headMiss(url: url)
        }
        let (fill, started) = fills.fill(.fetch(url: url, expected: expected))
        (started ? metrics.misses : metrics.coalesced).increment()
        let head = try await fill.waitForHead()
        if head.contentLength == 0 {
            // A client takes an empty response as complete at its head, so answer only once the empty blob is
            // published: a request sent afterwards is a hit, and a failed fill is an error, not an empty success.
            _ = try await fill.waitForCompletion()
        }
        store.acquireLease(id: head.blobID)
        return try BlobResponse.make(
            request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams, source: .filling(fill, head), length: head.contentLength,
            digest: expected, mediaType: head.mediaType, cache: head.cacheOutcome(started: started), headOnly: false)
    }

    /// Validates `url` and `sha256` query parameters.
    private func parse(_ request: Request) throws -> (String, BlobDigest?) {
        guard let url = request.uri.queryParameters["url"].map(String.init), !url.isEmpty else {
            throw LarderError.invalidRequest("missing_url", "pass the upstream URL as ?url=<percent-encoded URL>")
        }
        guard url.utf8.count <= 8192, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", parsed.host?.isEmpty == false else {
            throw LarderError.invalidRequest("invalid_url", "\"\(url.prefix(200))\" is not an absolute http(s) URL")
        }
        guard fills.allowlist.allows(parsed) else {
            let hint = fills.allowlist.entries.isEmpty
                ? "fetching is disabled until the server is started with --allow-upstream HOST[,HOST…]"
                : "allowed: \(fills.allowlist.entries.joined(separator: ", "))"
            throw LarderError(.notPermitted, "upstream_not_allowed", "host \(parsed.host ?? "") is not allowed as an upstream; \(hint)")
        }
        var expected: BlobDigest?
        if let text = request.uri.queryParameters["sha256"].map(String.init) {
            guard let digest = BlobDigest(parsing: text, allowBare: true) else {
                throw LarderError.invalidRequest("invalid_digest", "sha256=\"\(text.prefix(100))\" is not 64 lowercase hex digits")
            }
            expected = digest
        }
        return (url, expected)
    }

    private func openCached(url refName: String, expected: BlobDigest?) throws -> BlobHandle? {
        if let expected { return try store.open(expected) }
        guard let ref = try store.ref(refName) else { return nil }
        return try store.open(ref.digest)
    }

    /// A HEAD for an object not cached: ask the upstream, cache nothing.
    private func headMiss(url: String) async throws -> Response {
        var request = UpstreamRequest(url: url, method: .head)
        let allowlist = fills.allowlist
        request.redirectPolicy = { allowlist.allows($0) }
        let response: UpstreamResponse
        do {
            response = try await upstream.send(request)
        } catch {
            throw FillCoordinator.clientError(for: error, url: url)
        }
        response.cancel()
        guard (200..<300).contains(response.head.status) else {
            throw FillCoordinator.clientError(for: UpstreamFailure.status(response.head.status, ""), url: url)
        }
        var headers: HTTPFields = [.larderCache: CacheAnswer.miss.rawValue]
        headers[.contentType] = response.head.header("Content-Type") ?? "application/octet-stream"
        if let length = response.head.contentLength { headers[.contentLength] = String(length) }
        return Response(status: .ok, headers: headers, body: ResponseBody())
    }
}
