import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import LarderStore
import NIOCore

/// The Hub-compatible endpoints below `/hf` (so `HF_ENDPOINT=http://host:7480/hf` works with the unmodified
/// `huggingface_hub` client), plus `POST /warm` and `GET /warm/<id>`.
public struct HFRoutes<Context: ConnectionAwareContext>: Sendable {
    let mirror: HFMirror
    /// Admission control for file bodies, shared with the other routes.
    let streams: BodyStreamGate
    /// The runs `POST /warm` with `fromRun` reads.
    var runs: RunCatalog?

    /// Routes for `mirror`, streaming file bodies under `streams`; `runs` serves `POST /warm` with `fromRun`.
    public init(mirror: HFMirror, streams: BodyStreamGate, runs: RunCatalog? = nil) {
        self.mirror = mirror
        self.streams = streams
        self.runs = runs
    }

    /// Registers the Hub routes and the warm routes.
    public func register(on router: Router<Context>) {
        let prefix = mirror.configuration.pathPrefix
        router.get("\(prefix)/**") { request, context in try await handle(request, context, headOnly: false) }
        router.head("\(prefix)/**") { request, context in try await handle(request, context, headOnly: true) }
        router.post("\(prefix)/**") { request, context in try await handlePost(request, context) }
        WarmRoutes<Context>(mirror: mirror, runs: runs).register(on: router)
    }

    private func target(_ request: Request) throws -> HFRequestTarget {
        let prefix = mirror.configuration.pathPrefix
        let path = request.uri.path.dropFirst(prefix.count)
        do {
            guard let target = try HFRequestTarget.parse(path) else {
                throw LarderError.notFound("not_found", "\(request.uri.path.prefix(300)) is not a Hub endpoint served here (resolve, api/<type>s/<repo>[/revision|/tree|/paths-info])")
            }
            return target
        } catch let error as HFInputError {
            throw error.clientError
        }
    }

    func handle(_ request: Request, _ context: Context, headOnly: Bool) async throws -> Response {
        do {
            return try await dispatch(request, context, headOnly: headOnly)
        } catch let error as LarderError {
            // Every Hub answer carries the message where the client prints it from.
            throw HFErrors.decorate(error, commit: nil)
        }
    }

    func dispatch(_ request: Request, _ context: Context, headOnly: Bool) async throws -> Response {
        let api = HFAPIHandlers(mirror: mirror)
        switch try target(request) {
        case .resolve(let repo, let revision, let path):
            return try await resolve(request, context, repo: repo, revision: revision, path: path, headOnly: headOnly)
        case .info(let repo, let revision):
            return try await api.info(request, repo: repo, revision: revision, headOnly: headOnly)
        case .tree(let repo, let revision, let path):
            return try await api.tree(request, repo: repo, revision: revision, path: path)
        case .pathsInfo, .importRevision:
            throw LarderError(.unsupportedOperation, "method_not_allowed", "use POST")
        case .unsupportedAPI(let path):
            throw LarderError.notFound("not_supported", "/\(path.prefix(300)) is not served by this mirror")
        }
    }

    func handlePost(_ request: Request, _ context: Context) async throws -> Response {
        let api = HFAPIHandlers(mirror: mirror)
        do {
            switch try target(request) {
            case .pathsInfo(let repo, let revision):
                return try await api.pathsInfo(request, repo: repo, revision: revision)
            case .importRevision:
                return try await api.importRevision(request)
            default:
                throw LarderError(.unsupportedOperation, "method_not_allowed", "\(request.uri.path.prefix(300)) does not accept POST")
            }
        } catch let error as LarderError {
            throw HFErrors.decorate(error, commit: nil)
        }
    }

    /// `GET|HEAD <repo>/resolve/<revision>/<path>`: the file, with the headers the Hub client reads.
    func resolve(_ request: Request, _ context: Context, repo: HFRepoID, revision: String, path: String, headOnly: Bool) async throws -> Response {
        let authorization = request.headers[.authorization]
        let resolution = try await mirror.resolveForCaller(repo, revision: revision, authorization: authorization)
        let manifest = resolution.manifest
        do {
            guard let entry = manifest.file(path) else {
                throw HFErrors.entryNotFound(repo, commit: manifest.commit, path: path)
            }
            var headers = HFResolveHeaders.make(entry: entry, commit: manifest.commit, stale: resolution.stale)
            if headOnly {
                mirror.hfMetrics.files.head.increment()
                headers[.contentLength] = String(entry.size)
                headers[.acceptRanges] = "bytes"
                return Response(status: .ok, headers: headers, body: ResponseBody())
            }
            let source = try await mirror.open(entry, of: manifest, authorization: authorization)
            let cache: CacheAnswer
            let blobSource: BlobStreamer.Source
            switch source {
            case .stored(let handle):
                cache = .hit
                blobSource = .stored(handle)
                mirror.metrics.hits.increment()
                mirror.hfMetrics.files.hit.increment()
            case .filling(let fill, let head, let started):
                cache = head.cacheOutcome(started: started)
                blobSource = .filling(fill, head)
                (started ? mirror.metrics.misses : mirror.metrics.coalesced).increment()
                (started ? mirror.hfMetrics.files.miss : mirror.hfMetrics.files.coalesced).increment()
            }
            var response = try BlobResponse.make(
                request: request, eventLoop: context.eventLoop, store: mirror.store, metrics: mirror.metrics, streams: streams, source: blobSource, length: entry.size,
                digest: nil, mediaType: headers[.contentType], cache: cache, headOnly: false)
            for field in headers where response.headers[field.name] == nil {
                response.headers.append(field)
            }
            return response
        } catch let error as LarderError {
            throw HFErrors.decorate(error, commit: manifest.commit)
        }
    }
}

/// The headers of a resolve answer.
enum HFResolveHeaders {
    /// `X-Repo-Commit`, `ETag` and `X-Linked-Etag` (the SHA-256 for LFS files, the git blob id otherwise, quoted as
    /// the Hub quotes them), `X-Linked-Size`, and a content type from the file name.
    static func make(entry: HFFileEntry, commit: String, stale: Bool) -> HTTPFields {
        var headers: HTTPFields = [:]
        headers[.xRepoCommit] = commit
        headers[.eTag] = "\"\(entry.etag)\""
        headers[.xLinkedEtag] = "\"\(entry.etag)\""
        headers[.xLinkedSize] = String(entry.size)
        headers[.contentType] = contentType(entry.path)
        if stale { headers[.larderRevision] = "stale" }
        return headers
    }

    static func contentType(_ path: String) -> String {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return "application/json" }
        if lower.hasSuffix(".txt") || lower.hasSuffix(".md") || lower.hasSuffix(".gitattributes") { return "text/plain; charset=utf-8" }
        return "application/octet-stream"
    }
}
