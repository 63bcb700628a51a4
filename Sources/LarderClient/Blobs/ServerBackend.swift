import Crypto
import Foundation
import LarderAPI
import LarderStore
import Upstream

/// Talks to a running `larder serve` over HTTP.
public struct ServerBackend: LarderBackend {
    /// The server.
    public let connection: ServerConnection
    /// The server's base URL, e.g. `http://127.0.0.1:7480`.
    public var baseURL: String { connection.baseURL }

    /// A backend for the server at `baseURL`, sending `token` with writes.
    public init(baseURL: String, token: String? = ClientToken.fromEnvironment) {
        self.connection = ServerConnection(baseURL: baseURL, token: token)
    }

    public func put(path: String?, progress: ProgressReporter?) async throws -> BlobRecord {
        let request: UpstreamRequest
        if let path {
            try InputFile.checkReadable(path)
            let digest = try FileDigest.compute(path: path)
            request = UpstreamRequest(url: "\(baseURL)/blobs/\(digest)", method: .put, headers: [("Expect", "")], uploadFile: path)
        } else {
            // Standard input is streamed as it comes (chunked when it is a pipe); the server hashes it.
            request = UpstreamRequest(url: "\(baseURL)/blobs", method: .post, headers: [("Expect", "")], uploadFile: "/dev/stdin")
        }
        let result: UploadAnswer = try await json(request)
        guard let record = try await recordOf(result.digest) else {
            throw ClientError("the server accepted \(result.digest) but does not list it")
        }
        return record
    }

    public func get(_ digest: BlobDigest, to output: OutputFile, progress: ProgressReporter?) async throws {
        _ = try await download(UpstreamRequest(url: "\(baseURL)/blobs/\(digest)"), to: output, progress: progress)
    }

    public func fetch(url: String, sha256: BlobDigest?, to output: OutputFile, progress: ProgressReporter?) async throws -> String {
        var query = "url=" + ServerConnection.escape(url)
        if let sha256 { query += "&sha256=" + sha256.hex }
        return try await download(UpstreamRequest(url: "\(baseURL)/fetch?\(query)"), to: output, progress: progress,
                                  askAgainOnFailure: sha256 != nil)
    }

    public func list() async throws -> [BlobListing] {
        try await json(UpstreamRequest(url: "\(baseURL)/blobs"))
    }

    public func setPinned(_ digest: BlobDigest, _ pinned: Bool) async throws {
        let _: BlobRecord = try await json(UpstreamRequest(url: "\(baseURL)/blobs/\(digest)/pin", method: pinned ? .put : .delete))
    }

    public func delete(_ digest: BlobDigest) async throws {
        let response = try await send(UpstreamRequest(url: "\(baseURL)/blobs/\(digest)", method: .delete))
        response.cancel()
    }

    public func gc() async throws -> GCReport {
        try await json(UpstreamRequest(url: "\(baseURL)/admin/gc", method: .post, uploadData: []))
    }

    public func verify() async throws -> VerifyReport {
        try await json(UpstreamRequest(url: "\(baseURL)/admin/verify", method: .post, uploadData: []))
    }

    public func statistics() async throws -> StoreStatistics {
        struct Stats: Decodable { var store: StoreStatistics }
        let stats: Stats = try await json(UpstreamRequest(url: "\(baseURL)/stats"))
        return stats.store
    }

    private func recordOf(_ digest: BlobDigest) async throws -> BlobRecord? {
        try await list().first { $0.record.digest == digest }?.record
    }

    private func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        try await connection.send(request)
    }

    private func json<Value: Decodable>(_ request: UpstreamRequest) async throws -> Value {
        try await connection.json(request)
    }

    /// Streams `request`'s answer into `output`. With `askAgainOnFailure`, a body cut short is followed by one
    /// more request whose error answer, if any, is reported instead: the server cuts a `/fetch` stream whose
    /// content failed its sha256 check and answers the next request for it with 502 `digest_mismatch`.
    private func download(_ request: UpstreamRequest, to output: OutputFile, progress: ProgressReporter?,
                          askAgainOnFailure: Bool = false) async throws -> String {
        let response = try await send(request)
        progress?.setTotal(response.head.contentLength)
        do {
            for try await block in response {
                try output.write(block)
                progress?.advance(block.count)
            }
            try output.commit()
        } catch let error as ClientError {
            output.discard()
            throw error
        } catch {
            output.discard()
            if askAgainOnFailure {
                do {
                    try await send(request).cancel()
                } catch let explained as ClientError {
                    throw explained
                } catch {}
            }
            throw ClientError("download from \(baseURL) failed: \(error)")
        }
        progress?.finish()
        return response.head.header("X-Larder-Cache") ?? "unknown"
    }
}

/// The answer of `PUT`/`POST /blobs`.
struct UploadAnswer: Decodable {
    var digest: BlobDigest
    var size: Int64
}

/// Streams a file through SHA-256.
enum FileDigest {
    static func compute(path: String) throws -> BlobDigest {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ClientError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            hasher.update(data: data)
        }
        guard let digest = BlobDigest(bytes: Array(hasher.finalize())) else { throw ClientError("hashing \(path) failed") }
        return digest
    }
}
