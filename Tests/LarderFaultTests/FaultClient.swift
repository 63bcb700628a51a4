import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Logging
import RunModel
import Testing
import Upstream

/// A real HTTP client (libcurl through the Upstream module) with retries and resumption off, so every failure of
/// the server reaches the test instead of being papered over.
let faultClient: UpstreamClient = {
    var configuration = UpstreamConfiguration()
    configuration.maxAttempts = 1
    configuration.connectTimeout = .seconds(10)
    configuration.stallTimeout = .seconds(30)
    return UpstreamClient(configuration: configuration, logger: Logger(label: "fault", factory: { _ in SwiftLogNoOpLogHandler() }))
}()

/// A response read to the end (or to where it broke).
struct Reply: Sendable {
    var status: Int
    var head: UpstreamResponseHead?
    var body: [UInt8]
    /// The transport error that cut the body short, or that prevented any answer.
    var error: String?

    func header(_ name: String) -> String? { head?.header(name) }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The JSON error code of an error body.
    var errorCode: String? { ErrorBody.parse(body)?.error }
    /// Whether a complete answer arrived.
    var complete: Bool { error == nil && status > 0 }
}

/// Sends `request` and reads the whole body; a failure to connect or a body cut short is kept, not thrown.
func send(_ request: UpstreamRequest) async -> Reply {
    let response: UpstreamResponse
    do {
        response = try await faultClient.send(request)
    } catch {
        return Reply(status: 0, head: nil, body: [], error: "\(error)")
    }
    var body: [UInt8] = []
    var failure: String?
    do {
        for try await block in response { body += block }
    } catch {
        failure = "\(error)"
    }
    return Reply(status: response.head.status, head: response.head, body: body, error: failure)
}

/// GET `url`.
func get(_ url: String, headers: [(name: String, value: String)] = []) async -> Reply {
    await send(UpstreamRequest(url: url, headers: headers))
}

/// PUT `bytes` to `url`.
func put(_ url: String, _ bytes: [UInt8]) async -> Reply {
    await send(UpstreamRequest(url: url, method: .put, uploadData: bytes))
}

/// Deterministic pseudo-random bytes (SplitMix64), so a failure can be reproduced from its seed.
func seededBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    var bytes = [UInt8](repeating: 0, count: count)
    var index = 0
    while index < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        for shift in stride(from: 0, to: 64, by: 8) where index < count {
            bytes[index] = UInt8(truncatingIfNeeded: z >> UInt64(shift))
            index += 1
        }
    }
    return bytes
}

/// A small task record for `flow/run/step/task`.
func faultRecord(flow: String, run: String, step: String = "train", task: String) throws -> TaskRecord {
    try TaskRecord(
        identity: TaskIdentity(flow: flow, run: run, step: step, task: task), input: [:],
        node: NodeDescription(name: "node-fault", cpuCount: 2, memoryBytes: 4 << 30),
        start: Date(timeIntervalSince1970: 1_780_000_000), end: Date(timeIntervalSince1970: 1_780_000_010),
        durationSeconds: 10, exit: ExitOutcome(status: 0),
        usage: ResourceUsage(cpuSeconds: 1, avgCores: 0.1, p95Cores: 0.2, maxCores: 0.3, peakMemoryBytes: 1 << 20,
                             samples: [], sampleIntervalSeconds: 1),
        artifacts: [], command: ["true"])
}

/// PUTs `record` to its path on `server`.
func putRecord(_ server: String, _ record: TaskRecord) async throws -> Reply {
    let id = record.identity
    return await send(UpstreamRequest(url: "\(server)/runs/\(id.flow)/\(id.run)/\(id.step)/\(id.task)/record",
                                      method: .put, uploadData: Array(try record.encoded())))
}

extension LarderServeProcess {
    /// `GET /stats`, decoded loosely (nil when the server does not answer).
    func stats() async -> [String: Any]? {
        let reply = await get(url + "/stats")
        guard reply.status == 200 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
    }

    /// One number of `/stats`'s `store` object.
    func storeStatistic(_ name: String) async -> Int64? {
        ((await stats())?["store"] as? [String: Any])?[name].flatMap { ($0 as? NSNumber)?.int64Value }
    }

    /// Whether `/healthz` answers 200.
    func isHealthy() async -> Bool {
        await get(url + "/healthz").status == 200
    }
}

/// Verifies `reply` carries exactly `expected` (status 200/206 and equal bytes), counting into `tally`; returns
/// whether it did. A complete response whose bytes differ is wrong bytes served; so is one that is shorter or
/// longer than the truth. A response cut short (the client sees the connection close before the declared length)
/// is a clear error: bytes of it that differ count as unverified bytes in an aborted response.
@discardableResult
func check(_ reply: Reply, is expected: [UInt8], tally: FaultTally) -> Bool {
    tally.request()
    guard reply.status == 200 || reply.status == 206 else { return false }
    if reply.complete && reply.body == expected {
        tally.verified(reply.body.count)
        return true
    }
    if reply.complete {
        tally.wrong(max(reply.body.count, expected.count))
        return false
    }
    let prefix = min(reply.body.count, expected.count)
    if reply.body.count > expected.count || reply.body[..<prefix] != expected[..<prefix] {
        tally.aborted(reply.body.count)
    }
    return false
}

/// ``check(_:is:tally:)`` as an expectation: records an issue (without printing the bytes) unless `reply` carries
/// exactly `expected`.
func expectCorrect(_ reply: Reply, is expected: [UInt8], tally: FaultTally, _ comment: Comment? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let correct = check(reply, is: expected, tally: tally)
    let detail = "status \(reply.status), \(reply.body.count) of \(expected.count) bytes, \(reply.error ?? "complete")"
    #expect(correct, "\(comment.map { "\($0): " } ?? "")\(detail)", sourceLocation: sourceLocation)
}
