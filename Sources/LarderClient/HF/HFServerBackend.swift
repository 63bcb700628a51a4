import Foundation
import LarderAPI
import LarderStore
import Logging
import Upstream

/// ``HFBackend`` over a running `larder serve`: blobs with `PUT /blobs/<digest>`, imports with `POST /hf/_import`,
/// reads through the Hub endpoints, warm jobs with `POST /warm`.
public struct HFServerBackend: HFBackend {
    /// The server.
    public let connection: ServerConnection
    /// The server's base URL.
    public var baseURL: String { connection.baseURL }
    /// The Hub prefix (`/hf`).
    public let prefix: String

    /// A backend for the server at `baseURL`, sending `token` with writes.
    public init(baseURL: String, prefix: String = "/hf", token: String? = ClientToken.fromEnvironment) {
        // Large model files may pause while the server fills them from the Hub: allow long stalls.
        self.connection = ServerConnection(baseURL: baseURL, stallTimeout: .seconds(120), token: token)
        self.prefix = prefix
    }

    /// See ``HFBackend/storeFile(path:size:)``.
    public func storeFile(path: String, size: Int64) async throws -> BlobDigest {
        let digest = try FileDigest.compute(path: path)
        let head = try await send(UpstreamRequest(url: "\(baseURL)/blobs/\(digest)", method: .head), allowing: [404])
        head.cancel()
        if head.head.status == 200 { return digest }
        let request = UpstreamRequest(url: "\(baseURL)/blobs/\(digest)", method: .put, headers: [("Expect", "")], uploadFile: path)
        let response = try await send(request)
        _ = try? await response.collect(upTo: 1 << 20)
        return digest
    }

    /// See ``HFBackend/importRevision(_:)``.
    public func importRevision(_ request: HFImportRequest) async throws -> HFImportResult {
        let body = try JSONEncoder().encode(request)
        let upstream = UpstreamRequest(url: "\(baseURL)\(prefix)/_import", method: .post,
                                       headers: [("Content-Type", "application/json")], uploadData: Array(body))
        return try await json(upstream)
    }

    /// See ``HFBackend/manifest(_:)``.
    public func manifest(_ reference: HFReference) async throws -> HFManifest {
        let repo = reference.repo
        let url = "\(baseURL)\(prefix)/api/\(repo.type.plural)/\(repo.name)/revision/\(Self.encode(reference.revision))?blobs=true"
        let response = try await send(UpstreamRequest(url: url))
        let body = try await response.collect(upTo: 256 << 20)
        struct Info: Decodable {
            var sha: String
            var lastModified: String?
            var siblings: [Sibling]
        }
        struct Sibling: Decodable {
            var rfilename: String
            var size: Int64
            var blobId: String
            var lfs: HFLFSInfo?
        }
        let info: Info
        do {
            info = try JSONDecoder().decode(Info.self, from: Data(body))
        } catch {
            throw ClientError("unexpected repository information from \(url): \(error)")
        }
        let files = info.siblings.map {
            HFFileEntry(path: $0.rfilename, size: $0.size, blobID: $0.blobId, lfs: $0.lfs, digest: nil)
        }
        return HFManifest(repo: repo, commit: info.sha, files: files, lastModified: info.lastModified, origin: baseURL)
    }

    /// See ``HFBackend/download(_:of:to:consume:)``.
    public func download(_ entry: HFFileEntry, of manifest: HFManifest, to output: OutputFile,
                         consume: @Sendable ([UInt8]) -> Void) async throws {
        let path = PercentEscaping.path(entry.path)
        let url = "\(baseURL)\(prefix)/\(manifest.repo.urlPath)/resolve/\(manifest.commit)/\(path)"
        let response = try await send(UpstreamRequest(url: url))
        for try await block in response {
            try output.write(block)
            consume(block)
        }
    }

    /// See ``HFBackend/startWarm(_:)``.
    public func startWarm(_ request: WarmRequest) async throws -> String {
        let body = try JSONEncoder().encode(request)
        let status: WarmStatus = try await json(UpstreamRequest(url: "\(baseURL)/warm", method: .post,
                                                                headers: [("Content-Type", "application/json")], uploadData: Array(body)))
        return status.id
    }

    /// See ``HFBackend/warmStatus(_:)``.
    public func warmStatus(_ id: String) async throws -> WarmStatus {
        try await json(UpstreamRequest(url: "\(baseURL)/warm/\(id)"))
    }

    private func send(_ request: UpstreamRequest, allowing: Set<Int> = []) async throws -> UpstreamResponse {
        try await connection.send(request, allowing: allowing)
    }

    private func json<Value: Decodable>(_ request: UpstreamRequest) async throws -> Value {
        try await connection.json(request)
    }

    static func encode(_ text: String) -> String { ServerConnection.escape(text) }
}
