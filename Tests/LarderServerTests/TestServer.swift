import Foundation
import Hummingbird
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import Logging
import Upstream

/// A Larder server running in this process on a free loopback port, over a fresh data directory.
final class TestServer: Sendable {
    let services: LarderServices
    let port: Int
    let directory: String
    private let task: Task<Void, any Error>

    /// Starts a server; `configure` may change the configuration (size limit, allowlist, chunk size).
    static func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-server-\(UUID().uuidString)").path
        var configuration = ServerConfiguration(dataDirectory: directory, maxSize: 1 << 30)
        configuration.port = 0
        configuration.allowlist = UpstreamAllowlist(["127.0.0.1"])
        configuration.store.chunkSize = 256 * 1024
        configuration.upstream.initialBackoff = .milliseconds(20)
        configuration.upstream.connectTimeout = .seconds(2)
        configuration.logger = Logger(label: "larder-test", factory: { _ in SwiftLogNoOpLogHandler() })
        configure(&configuration)
        let services = try LarderServices(configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(configuration, services: services) { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FixtureError("server did not start") }
        return TestServer(services: services, port: port, directory: directory, task: task)
    }

    private init(services: LarderServices, port: Int, directory: String, task: Task<Void, any Error>) {
        self.services = services
        self.port = port
        self.directory = directory
        self.task = task
    }

    var store: BlobStore { services.store }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// `/fetch?url=<encoded>` for an upstream URL.
    func fetchPath(_ upstreamURL: String, sha256: String? = nil) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var path = "/fetch?url=" + (upstreamURL.addingPercentEncoding(withAllowedCharacters: allowed) ?? upstreamURL)
        if let sha256 { path += "&sha256=" + sha256 }
        return path
    }

    /// Stops the server and removes its data.
    func stop() async {
        task.cancel()
        _ = try? await task.value
        services.store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A real HTTP client (libcurl through the Upstream module) with retries off, so tests see every failure.
let client: UpstreamClient = {
    var configuration = UpstreamConfiguration()
    configuration.maxAttempts = 1
    configuration.connectTimeout = .seconds(5)
    configuration.stallTimeout = .seconds(20)
    return UpstreamClient(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
}()

/// A response read to the end: status, headers, body, and the error that cut it short, if any.
struct Fetched: Sendable {
    var status: Int
    var head: UpstreamResponseHead
    var body: [UInt8]
    var error: (any Error)?

    func header(_ name: String) -> String? { head.header(name) }

    /// The JSON error code of an error body.
    var errorCode: String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? String
    }
}

/// Sends `request` and reads the whole body, keeping a transport error instead of throwing it.
func fetch(_ request: UpstreamRequest) async throws -> Fetched {
    let response = try await client.send(request)
    var body: [UInt8] = []
    var failure: (any Error)?
    do {
        for try await block in response { body += block }
    } catch {
        failure = error
    }
    return Fetched(status: response.head.status, head: response.head, body: body, error: failure)
}

/// GET `url` and read everything.
func get(_ url: String, headers: [(name: String, value: String)] = []) async throws -> Fetched {
    try await fetch(UpstreamRequest(url: url, headers: headers))
}

extension TestServer {
    /// The value of one sample of `/metrics`, e.g. `larder_cache_requests_total{result="miss"}`; nil when absent.
    func metric(_ sample: String) async throws -> Double? {
        let text = String(decoding: try await get(url("/metrics")).body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    /// Requests counted as a miss, as coalesced and as a hit so far.
    func lookups() async throws -> (miss: Int, coalesced: Int, hit: Int) {
        func count(_ result: String) async throws -> Int {
            Int(try await metric("larder_cache_requests_total{result=\"\(result)\"}") ?? -1)
        }
        return (try await count("miss"), try await count("coalesced"), try await count("hit"))
    }
}

/// Polls `condition` every 10 ms until it holds or `within` passes; returns whether it held. Use it instead of a
/// fixed sleep: it waits no longer than needed on a fast machine and long enough on a loaded one.
func waitUntil(within: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + within
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
}
