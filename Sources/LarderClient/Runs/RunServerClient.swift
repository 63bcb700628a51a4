import Foundation
import LarderAPI
import LarderStore
import RunModel
import RunRecorder
import Upstream

/// The run-store half of the HTTP API, as the CLI uses it.
public struct RunServerClient: Sendable {
    /// The server.
    public let connection: ServerConnection
    var baseURL: String { connection.baseURL }

    /// A client for the server at `baseURL`; `attempts` bounds retries of each request, `stallTimeout` how long a
    /// request may go without progress (a server that accepts but never answers); `token` is sent with writes.
    public init(baseURL: String, attempts: Int = 2, connectTimeout: Duration = .seconds(5), stallTimeout: Duration = .seconds(30),
                token: String? = ClientToken.fromEnvironment) {
        self.connection = ServerConnection(baseURL: baseURL, attempts: attempts, connectTimeout: connectTimeout,
                                           stallTimeout: stallTimeout, token: token)
    }

    /// Throws a permanent ``ClientError`` unless `path` is a readable regular file (an artifact must be one file).
    public static func checkArtifact(name: String, path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ClientError("artifact \(name): \(path) does not exist", permanent: true)
        }
        guard !isDirectory.boolValue else {
            throw ClientError("artifact \(name): \(path) is a directory; an artifact is one file", permanent: true)
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ClientError("artifact \(name): \(path) cannot be read", permanent: true)
        }
    }

    /// Uploads artifact files, then the record listing them; returns the record as stored. An artifact's media
    /// type is taken from `mediaTypes` (by name), else detected from its file.
    public func upload(record: TaskRecord, artifacts: [(name: String, path: String)],
                       mediaTypes: [String: String] = [:]) async throws -> TaskRecord {
        var record = record
        let id = record.identity
        let base = "\(baseURL)/runs/\(Self.escape(id.flow))/\(Self.escape(id.run))/\(Self.escape(id.step))/\(Self.escape(id.task))"
        var references: [ArtifactReference] = record.artifacts
        for artifact in artifacts {
            try Self.checkArtifact(name: artifact.name, path: artifact.path)
            let mediaType = mediaTypes[artifact.name] ?? Self.mediaType(forPath: artifact.path)
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

    /// The media type of an artifact file: from its extension, else from its content (JSON, UTF-8 text or binary).
    static func mediaType(forPath path: String) -> String {
        ArtifactMediaType.detect(path: path)
    }
}
