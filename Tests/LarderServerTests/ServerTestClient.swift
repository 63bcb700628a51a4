import Foundation
import LarderTestSupport
import Logging
import Upstream

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

extension LarderTestServer {
    /// Requests counted as a miss, as coalesced and as a hit so far.
    func lookups() async throws -> (miss: Int, coalesced: Int, hit: Int) {
        func count(_ result: String) async throws -> Int {
            Int(try await metricIfPresent("larder_cache_requests_total{result=\"\(result)\"}") ?? -1)
        }
        return (try await count("miss"), try await count("coalesced"), try await count("hit"))
    }
}
