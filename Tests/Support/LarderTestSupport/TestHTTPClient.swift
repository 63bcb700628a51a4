import Foundation
import Logging
import Upstream

/// The tests' HTTP client: real libcurl through the Upstream module, with retries off so tests see every failure.
public let testHTTPClient: UpstreamClient = {
    var configuration = UpstreamConfiguration()
    configuration.maxAttempts = 1
    configuration.connectTimeout = .seconds(5)
    configuration.stallTimeout = .seconds(30)
    return UpstreamClient(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
}()

/// A response read to the end: status, head, body, and (only with `keepingBodyError`) the error that cut the body
/// short.
public struct Fetched: Sendable {
    /// The response status.
    public var status: Int
    /// The response head.
    public var head: UpstreamResponseHead
    /// The body as received.
    public var body: [UInt8]
    /// The transport error that ended the body early, when the request asked to keep it.
    public var error: (any Error)?

    /// The value of the header `name`.
    public func header(_ name: String) -> String? { head.header(name) }

    /// The body as JSON.
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body)) }

    /// The `error` code of a Larder error body.
    public var errorCode: String? { (json as? [String: Any])?["error"] as? String }
}

/// Sends `request` and reads the whole body. A body cut short throws, unless `keepingBodyError` is set: then the
/// error is returned in ``Fetched/error`` with the bytes that did arrive (for tests of failures mid-body).
public func fetch(_ request: UpstreamRequest, keepingBodyError: Bool = false) async throws -> Fetched {
    let response = try await testHTTPClient.send(request)
    var body: [UInt8] = []
    var failure: (any Error)?
    do {
        for try await block in response { body += block }
    } catch {
        guard keepingBodyError else { throw error }
        failure = error
    }
    return Fetched(status: response.head.status, head: response.head, body: body, error: failure)
}

/// GET `url` and read everything (see ``fetch(_:keepingBodyError:)``).
public func get(_ url: String, headers: [(name: String, value: String)] = [], keepingBodyError: Bool = false) async throws -> Fetched {
    try await fetch(UpstreamRequest(url: url, headers: headers), keepingBodyError: keepingBodyError)
}

/// HEAD `url`.
public func head(_ url: String, headers: [(name: String, value: String)] = []) async throws -> Fetched {
    try await fetch(UpstreamRequest(url: url, method: .head, headers: headers))
}

/// Deterministic pseudo-random bytes (SplitMix64), different for each seed.
public func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    var out = [UInt8]()
    out.reserveCapacity(count)
    while out.count < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
            out.append(UInt8(truncatingIfNeeded: z >> UInt64(shift)))
        }
    }
    return out
}
