import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import NIOCore

/// The `/hf/api/…` endpoints: repository information, tree listings, paths-info, and imports.
struct HFAPIHandlers: Sendable {
    let mirror: HFMirror

    /// Entries per tree page (the Hub's limits: 1000, or 50 with `expand=true`).
    static let treePageSize = 1000
    static let expandedTreePageSize = 50

    /// `GET /api/<type>s/<repo>/revision/<rev>[?blobs=true]`.
    func info(_ request: Request, repo: HFRepoID, revision: String, headOnly: Bool) async throws -> Response {
        let resolution = try await mirror.resolveForCaller(repo, revision: revision, authorization: request.headers[.authorization])
        let blobs = Self.flag(request.uri.queryParameters["blobs"])
        return json(HFDocuments.info(resolution.manifest, blobs: blobs), resolution: resolution, headOnly: headOnly)
    }

    /// `GET /api/<type>s/<repo>/tree/<rev>[/<path>]?recursive=&expand=&cursor=&limit=`, paginated with a
    /// `Link: <…>; rel="next"` header holding an absolute URL (the client requests it as is).
    func tree(_ request: Request, repo: HFRepoID, revision: String, path: String) async throws -> Response {
        let resolution = try await mirror.resolveForCaller(repo, revision: revision, authorization: request.headers[.authorization])
        let manifest = resolution.manifest
        let query = request.uri.queryParameters
        let recursive = Self.flag(query["recursive"])
        let expand = Self.flag(query["expand"])
        var pageSize = expand ? Self.expandedTreePageSize : Self.treePageSize
        if let text = query["limit"] {
            guard let limit = Int(text), limit > 0 else {
                throw HFErrors.decorate(.invalidRequest("invalid_limit", "limit=\(text.prefix(40)) is not a positive number"), commit: manifest.commit)
            }
            pageSize = min(pageSize, limit)
        }
        var offset = 0
        if let cursor = query["cursor"] {
            guard let value = Int(cursor), value >= 0 else {
                throw HFErrors.decorate(.invalidRequest("invalid_cursor", "cursor=\(cursor.prefix(40)) was not issued by this server"), commit: manifest.commit)
            }
            offset = value
        }
        guard let entries = HFTreeListing(manifest).list(path, recursive: recursive) else {
            throw HFErrors.entryNotFound(repo, commit: manifest.commit, path: path.isEmpty ? "/" : path)
        }
        let page = entries.dropFirst(offset).prefix(pageSize)
        var response = json(.array(page.map(HFDocuments.treeEntry)), resolution: resolution, headOnly: false)
        let next = offset + page.count
        if next < entries.count {
            let encodedPath = path.isEmpty ? "" : "/" + HFUpstream.encode(path)
            var link = "\(Self.origin(of: request))\(mirror.configuration.pathPrefix)/api/\(repo.type.plural)/\(repo.name)/tree/\(manifest.commit)\(encodedPath)"
            link += "?recursive=\(recursive)&expand=\(expand)&cursor=\(next)"
            if query["limit"] != nil { link += "&limit=\(pageSize)" }
            response.headers[.link] = "<\(link)>; rel=\"next\""
        }
        return response
    }

    /// `POST /api/<type>s/<repo>/paths-info/<rev>` with form fields `paths` (repeated) and `expand`, or the same
    /// as JSON: the entries that exist, files and directories.
    func pathsInfo(_ request: Request, repo: HFRepoID, revision: String) async throws -> Response {
        let resolution = try await mirror.resolveForCaller(repo, revision: revision, authorization: request.headers[.authorization])
        var body = try await request.body.collect(upTo: 4 << 20)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        var paths: [String] = []
        if request.headers[.contentType]?.hasPrefix("application/json") == true {
            struct Body: Decodable { var paths: [String] }
            guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(bytes)) else {
                throw LarderError.invalidRequest("invalid_body", "expected {\"paths\": [...]}")
            }
            paths = decoded.paths
        } else {
            for field in String(decoding: bytes, as: UTF8.self).split(separator: "&") {
                let parts = field.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0] == "paths" else { continue }
                let value = String(parts[1]).replacingOccurrences(of: "+", with: " ")
                if let decoded = value.removingPercentEncoding { paths.append(decoded) }
            }
        }
        let listing = HFTreeListing(resolution.manifest)
        var seen = Set<String>()
        let entries = paths.compactMap { path -> JSONValue? in
            let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
            guard seen.insert(trimmed).inserted, let entry = listing.entry(trimmed) else { return nil }
            return HFDocuments.treeEntry(entry)
        }
        return json(.array(entries), resolution: resolution, headOnly: false)
    }

    /// `POST /hf/_import`: an ``HFImportRequest`` for files already uploaded with `PUT /blobs/<digest>`.
    func importRevision(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        let importRequest: HFImportRequest
        do {
            importRequest = try JSONDecoder().decode(HFImportRequest.self, from: Data(body.readableBytesView))
        } catch {
            throw LarderError.invalidRequest("invalid_import", "the body is not an import request: \(error)")
        }
        let result = try await mirror.importRevision(importRequest)
        return try RouteSupport.json(result, status: .created)
    }

    private func json(_ value: JSONValue, resolution: HFMirror.Resolution, headOnly: Bool) -> Response {
        let bytes = HFDocuments.encode(value)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers[.xRepoCommit] = resolution.manifest.commit
        if resolution.stale { headers[.larderRevision] = "stale" }
        if headOnly {
            headers[.contentLength] = String(bytes.count)
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `true`, `True` and `1` are true (httpx sends Python booleans as `true`/`false`).
    static func flag(_ value: Substring?) -> Bool {
        guard let value else { return false }
        return ["true", "1", "yes"].contains(value.lowercased())
    }

    /// `http://host:port` as the client addressed this server (honouring `X-Forwarded-Proto`/`-Host` from a proxy).
    static func origin(of request: Request) -> String {
        let forwardedProto = request.headers[.xForwardedProto]
        let forwardedHost = request.headers[.xForwardedHost]
        let scheme = forwardedProto?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "http"
        let host = forwardedHost ?? request.head.authority ?? "127.0.0.1"
        return "\(scheme == "https" ? "https" : "http")://\(host)"
    }
}
