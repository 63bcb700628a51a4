import Foundation
import Hummingbird
import LarderAPI
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import Logging
import Synchronization
import Upstream

/// A Larder server in this process on a free loopback port, over a fresh data directory.
final class HFTestServer: Sendable {
    let services: LarderServices
    let port: Int
    let directory: String
    private let task: Task<Void, any Error>
    private let stopped = Atomic<Bool>(false)

    /// Starts a server whose Hub upstream is `upstream` (a closed port by default: nothing leaves the machine).
    static func start(upstream: String? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> HFTestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-hf-\(UUID().uuidString)").path
        var configuration = ServerConfiguration(dataDirectory: directory, maxSize: 2 << 30)
        configuration.port = 0
        configuration.allowlist = UpstreamAllowlist(["127.0.0.1"])
        configuration.store.chunkSize = 256 * 1024
        configuration.upstream.initialBackoff = .milliseconds(20)
        configuration.upstream.connectTimeout = .seconds(2)
        configuration.hf.upstream = try upstream ?? "http://127.0.0.1:\(RawHTTP.closedPort())/hf"
        if ProcessInfo.processInfo.environment["LARDER_TEST_LOG"] != nil {
            var logger = Logger(label: "larder-hf-test", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = .debug
            configuration.logger = logger
        } else {
            configuration.logger = Logger(label: "larder-hf-test", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        configure(&configuration)
        let services = try LarderServices(configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(configuration, services: services) { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FixtureError("server did not start") }
        return HFTestServer(services: services, port: port, directory: directory, task: task)
    }

    private init(services: LarderServices, port: Int, directory: String, task: Task<Void, any Error>) {
        self.services = services
        self.port = port
        self.directory = directory
        self.task = task
    }

    var store: BlobStore { services.store }
    var base: String { "http://127.0.0.1:\(port)" }
    /// What clients put in `HF_ENDPOINT`.
    var endpoint: String { base + "/hf" }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String { base + path }

    /// The value of metric `name` (with its labels, e.g. `larder_cache_requests_total{result="hit"}`).
    /// Throws when `/metrics` has no such series or its value is not a number, so a renamed or dropped
    /// metric fails the test instead of reading as 0.
    func metric(_ name: String) async throws -> Double {
        let text = String(decoding: try await get(url("/metrics")).body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            guard let value = Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)) else {
                throw FixtureError("metric \(name) has no numeric value: \(line)")
            }
            return value
        }
        throw FixtureError("/metrics has no series \(name)")
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

    /// Runs `body`, then stops the server, also when `body` throws.
    func use<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            let result = try await body()
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// Stops the server and removes its data (once; later calls do nothing).
    func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        task.cancel()
        _ = try? await task.value
        services.store.close()
        try? FileManager.default.removeItem(atPath: directory)
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
