import Foundation
import LarderServer
import LarderStore
import RunModel
import Upstream

/// The run-store half of the HTTP API, as the CLI uses it.
public struct RunServerClient: Sendable {
    /// The server.
    public let connection: ServerConnection
    var baseURL: String { connection.baseURL }

    /// A client for the server at `baseURL`; `attempts` bounds retries of each request.
    public init(baseURL: String, attempts: Int = 2, connectTimeout: Duration = .seconds(5)) {
        self.connection = ServerConnection(baseURL: baseURL, attempts: attempts, connectTimeout: connectTimeout)
    }

    /// Uploads artifact files, then the record listing them; returns the record as stored.
    public func upload(record: TaskRecord, artifacts: [(name: String, path: String)]) async throws -> TaskRecord {
        var record = record
        let id = record.identity
        let base = "\(baseURL)/runs/\(Self.escape(id.flow))/\(Self.escape(id.run))/\(Self.escape(id.step))/\(Self.escape(id.task))"
        var references: [ArtifactReference] = record.artifacts
        for artifact in artifacts {
            let mediaType = Self.mediaType(forPath: artifact.path)
            let request = UpstreamRequest(url: "\(base)/artifacts/\(Self.escape(artifact.name))", method: .put,
                                          headers: [("Content-Type", mediaType), ("Expect", "")], uploadFile: artifact.path)
            let reference: ArtifactReference = try await json(request)
            references.removeAll { $0.name == reference.name }
            references.append(reference)
        }
        record.artifacts = references
        let put = UpstreamRequest(url: "\(base)/record", method: .put, headers: [("Content-Type", "application/json")],
                                  uploadData: Array(try record.encoded()))
        _ = try await send(put).collect(upTo: 1 << 20)
        return record
    }

    /// `GET /runs`.
    public func flows() async throws -> FlowList { try await json(UpstreamRequest(url: "\(baseURL)/runs")) }

    /// `GET /runs/<flow>`.
    public func runs(flow: String) async throws -> RunList { try await json(UpstreamRequest(url: "\(baseURL)/runs/\(Self.escape(flow))")) }

    /// `GET /runs/<flow>/<run>`.
    public func run(flow: String, run: String) async throws -> RunDocument {
        try await json(UpstreamRequest(url: "\(baseURL)/runs/\(Self.escape(flow))/\(Self.escape(run))"))
    }

    /// The bytes of an artifact, up to `limit`; nil when it is larger.
    public func artifactText(digest: String, limit: Int) async throws -> [UInt8]? {
        let response = try await send(UpstreamRequest(url: "\(baseURL)/blobs/\(digest)"))
        if let length = response.head.contentLength, length > Int64(limit) {
            response.cancel()
            return nil
        }
        return try await response.collect(upTo: limit)
    }

    /// `DELETE /runs/<flow>/<run>`.
    public func remove(flow: String, run: String) async throws {
        _ = try await send(UpstreamRequest(url: "\(baseURL)/runs/\(Self.escape(flow))/\(Self.escape(run))", method: .delete)).collect(upTo: 4096)
    }

    /// Uploads a blob's bytes (for `runs import`).
    public func putBlob(_ bytes: [UInt8]) async throws {
        _ = try await send(UpstreamRequest(url: "\(baseURL)/blobs", method: .post, uploadData: bytes)).collect(upTo: 1 << 16)
    }

    private func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        try await connection.send(request)
    }

    private func json<Value: Decodable>(_ request: UpstreamRequest) async throws -> Value {
        try await connection.json(request)
    }

    static func escape(_ segment: String) -> String { ServerConnection.escape(segment) }

    /// A media type guessed from a file name, for artifacts.
    static func mediaType(forPath path: String) -> String {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "txt", "log", "srt", "vtt", "csv", "tsv", "md": return "text/plain; charset=utf-8"
        case "json": return "application/json"
        case "html": return "text/html"
        default: return "application/octet-stream"
        }
    }
}
