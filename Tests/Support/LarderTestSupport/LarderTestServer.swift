import Foundation
import Hummingbird
import LarderCore
import LarderServer
import LarderStore
import Logging
import Synchronization
import Upstream

/// A Larder server running in this process on a free loopback port (127.0.0.1), over a fresh data directory.
///
/// A real socket, not Hummingbird's in-memory test client: the tests drive it with libcurl, `curl` processes,
/// Python clients and hand-made bytes.
public final class LarderTestServer: Sendable {
    /// The server's services (store, fills, Hub support).
    public let services: LarderServices
    /// The port it listens on.
    public let port: Int
    /// Its data directory (removed by ``stop()``).
    public let directory: String
    private let task: Task<Void, any Error>
    private let stopped = Atomic<Bool>(false)

    private init(services: LarderServices, port: Int, directory: String, task: Task<Void, any Error>) {
        self.services = services
        self.port = port
        self.directory = directory
        self.task = task
    }

    /// The tests' configuration: port 0, upstreams on 127.0.0.1 only, short upstream delays, the Hub upstream on a
    /// closed loopback port (nothing leaves the machine), logging off unless `LARDER_TEST_LOG` is set.
    public static func configuration(directory: String, maxSize: Int64 = 1 << 30, chunkSize: Int = 256 * 1024) throws -> ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: directory, maxSize: maxSize)
        configuration.port = 0
        configuration.core.allowlist = UpstreamAllowlist(["127.0.0.1"])
        configuration.core.store.chunkSize = chunkSize
        configuration.core.upstream.initialBackoff = .milliseconds(20)
        configuration.core.upstream.connectTimeout = .seconds(2)
        configuration.core.hf.upstream = "http://127.0.0.1:\(try RawHTTP.closedPort())/hf"
        if ProcessInfo.processInfo.environment["LARDER_TEST_LOG"] != nil {
            var logger = Logger(label: "larder-test", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = .debug
            configuration.core.logger = logger
        } else {
            configuration.core.logger = Logger(label: "larder-test", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        return configuration
    }

    /// Starts a server with ``configuration(directory:maxSize:chunkSize:)``, which `configure` may change.
    public static func start(maxSize: Int64 = 1 << 30, chunkSize: Int = 256 * 1024,
                             _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> LarderTestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-server-\(UUID().uuidString)").path
        var configuration = try configuration(directory: directory, maxSize: maxSize, chunkSize: chunkSize)
        configure(&configuration)
        let services = try LarderServices(configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(configuration, services: services) { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FixtureError("server did not start") }
        return LarderTestServer(services: services, port: port, directory: directory, task: task)
    }

    /// The server's blob store.
    public var store: BlobStore { services.store }
    /// `http://127.0.0.1:<port>`.
    public var base: String { "http://127.0.0.1:\(port)" }
    /// What Hub clients put in `HF_ENDPOINT`.
    public var endpoint: String { base + "/hf" }

    /// `http://127.0.0.1:<port><path>`.
    public func url(_ path: String) -> String { base + path }

    /// `/fetch?url=<encoded>[&sha256=<digest>]` for an upstream URL.
    public func fetchPath(_ upstreamURL: String, sha256: String? = nil) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var path = "/fetch?url=" + (upstreamURL.addingPercentEncoding(withAllowedCharacters: allowed) ?? upstreamURL)
        if let sha256 { path += "&sha256=" + sha256 }
        return path
    }

    /// A libcurl client (the Upstream module) with retries off, for ``metricIfPresent(_:)``.
    private static let metricsClient: UpstreamClient = {
        var configuration = UpstreamConfiguration()
        configuration.maxAttempts = 1
        configuration.connectTimeout = .seconds(5)
        configuration.stallTimeout = .seconds(30)
        return UpstreamClient(configuration: configuration, logger: Logger(label: "larder-test-metrics", factory: { _ in SwiftLogNoOpLogHandler() }))
    }()

    /// The value of one `/metrics` sample (with its labels, e.g. `larder_cache_requests_total{result="hit"}`), nil
    /// when absent.
    public func metricIfPresent(_ sample: String) async throws -> Double? {
        let response = try await Self.metricsClient.send(UpstreamRequest(url: url("/metrics")))
        var body: [UInt8] = []
        for try await block in response { body += block }
        let text = String(decoding: body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            guard let value = Double(line.dropFirst(sample.count + 1).trimmingCharacters(in: .whitespaces)) else {
                throw FixtureError("metric \(sample) has no numeric value: \(line)")
            }
            return value
        }
        return nil
    }

    /// The value of one `/metrics` sample. Throws when there is no such series, so a renamed or dropped metric
    /// fails the test instead of reading as 0.
    public func metric(_ sample: String) async throws -> Double {
        guard let value = try await metricIfPresent(sample) else { throw FixtureError("/metrics has no series \(sample)") }
        return value
    }

    /// Runs `body`, then stops the server, also when `body` throws.
    public func use<Result>(_ body: () async throws -> Result) async throws -> Result {
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
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        task.cancel()
        _ = try? await task.value
        services.store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// ``stop()`` without waiting for it, for a `defer` in a test.
    public func stopInBackground() {
        Task { await stop() }
    }
}
