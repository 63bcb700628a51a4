import Foundation
import LarderAPI
import LarderServer
import LarderTestSupport
import Logging
import Upstream

extension LarderTestServer {
    /// Starts a server for the Hub tests (2 GiB store) whose Hub upstream is `upstream` (a closed loopback port by
    /// default: nothing leaves the machine).
    static func startHF(upstream: String? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> LarderTestServer {
        try await start(maxSize: 2 << 30) { configuration in
            if let upstream { configuration.core.hf.upstream = upstream }
            configure(&configuration)
        }
    }

    /// Stores `files` as blobs and imports them as `repo` at `revision` (branch main).
    @discardableResult
    func importFiles(_ files: [String: [UInt8]], repo: HFRepoID, revision: String? = nil,
                     branches: [String]? = nil) async throws -> HFImportResult {
        var entries: [HFImportRequest.File] = []
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let record = try await store.put(content)
            entries.append(.init(path: path, digest: record.digest, size: Int64(content.count)))
        }
        return try await services.hf.importRevision(HFImportRequest(repo: repo, revision: revision, branches: branches, files: entries, pin: true))
    }
}

/// A real HTTP client (libcurl) with retries off, so tests see every failure.
let client: UpstreamClient = {
    var configuration = UpstreamConfiguration()
    configuration.maxAttempts = 1
    configuration.connectTimeout = .seconds(5)
    configuration.stallTimeout = .seconds(30)
    return UpstreamClient(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
}()

/// A response read to the end.
struct Fetched: Sendable {
    var status: Int
    var head: UpstreamResponseHead
    var body: [UInt8]

    func header(_ name: String) -> String? { head.header(name) }

    /// The JSON error code of a Larder error body.
    var errorCode: String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? String
    }

    /// The body as JSON.
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body)) }
}

/// Sends a request and reads the whole body.
func fetch(_ request: UpstreamRequest) async throws -> Fetched {
    let response = try await client.send(request)
    var body: [UInt8] = []
    for try await block in response { body += block }
    return Fetched(status: response.head.status, head: response.head, body: body)
}

/// GET `url`.
func get(_ url: String, headers: [(name: String, value: String)] = []) async throws -> Fetched {
    try await fetch(UpstreamRequest(url: url, headers: headers))
}

/// HEAD `url`.
func head(_ url: String) async throws -> Fetched {
    try await fetch(UpstreamRequest(url: url, method: .head))
}

/// Deterministic pseudo-random bytes.
func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    var out = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        out[index] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return out
}
