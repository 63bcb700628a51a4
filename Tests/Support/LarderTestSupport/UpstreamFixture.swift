import Foundation
import Testing

/// A running `Fixtures/upstream_server.py` (beside this file) serving freshly generated files.
///
/// `@unchecked Sendable` invariant: every stored property is assigned in `init` and never mutated.
public final class UpstreamFixture: @unchecked Sendable {
    /// The fixture of the enclosing suite (set by ``UpstreamFixtureTrait``).
    @TaskLocal public static var current: UpstreamFixture?

    /// Port the server listens on (127.0.0.1).
    public let port: Int
    /// Directory the server serves files from.
    public let root: URL
    /// Contents of `big.bin` (5 MiB of random bytes).
    public let big: [UInt8]
    /// Contents of `small.bin` (3000 random bytes).
    public let small: [UInt8]
    private let process: FixtureProcess

    private init(port: Int, root: URL, big: [UInt8], small: [UInt8], process: FixtureProcess) {
        self.port = port
        self.root = root
        self.big = big
        self.small = small
        self.process = process
    }

    /// Generates the files, starts the server and waits for its port file.
    public static func start(bigSize: Int = 5 << 20, extraFiles: [String: [UInt8]] = [:]) async throws -> UpstreamFixture {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("larder-upstream-\(UUID().uuidString)", isDirectory: true)
        let files = root.appendingPathComponent("files", isDirectory: true)
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        let big = randomBytes(bigSize)
        let small = randomBytes(3000)
        try Data(big).write(to: files.appendingPathComponent("big.bin"))
        try Data(small).write(to: files.appendingPathComponent("small.bin"))
        try Data().write(to: files.appendingPathComponent("empty.bin"))
        for (name, bytes) in extraFiles {
            try Data(bytes).write(to: files.appendingPathComponent(name))
        }

        let portFile = root.appendingPathComponent("port").path
        let process = try await FixtureProcess.launchPython(
            [FixtureProcess.script("upstream_server.py", besides: #filePath), "--root", files.path, "--port-file", portFile],
            port: .file(portFile))
        return UpstreamFixture(port: process.port, root: root, big: big, small: small, process: process)
    }

    /// Stops the server (SIGKILL) and removes its files.
    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// Absolute URL of `path` on this server.
    public func url(_ path: String) -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// Every request the server recorded.
    public func stats() throws -> [RecordedRequest] {
        let body = try RawHTTP.get(port: port, path: "/_stats")
        return try JSONDecoder().decode(Stats.self, from: Data(body)).requests
    }

    /// Releases every `/gated/…?gate=<key>` request waiting on `key`, and lets later ones through at once.
    public func openGate(_ key: String) throws {
        _ = try RawHTTP.get(port: port, path: "/_open?gate=\(key)")
    }

    /// The recorded requests whose path (with query) is exactly `path`.
    public func requests(to path: String) throws -> [RecordedRequest] {
        try stats().filter { $0.path == path }
    }

    /// `count` random bytes.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var index = 0
            while index < buffer.count {
                var word = generator.next() as UInt64
                let take = min(8, buffer.count - index)
                withUnsafeBytes(of: &word) { wordBytes in
                    for offset in 0..<take { buffer[index + offset] = wordBytes[offset] }
                }
                index += take
            }
        }
        return bytes
    }

    private struct Stats: Decodable {
        var requests: [RecordedRequest]
    }
}

/// One request as recorded by the fixture's `/_stats`.
public struct RecordedRequest: Decodable, Sendable {
    /// The request method.
    public var method: String
    /// The path with its query.
    public var path: String
    /// The `Range` header, if sent.
    public var range: String?
    /// The `If-Range` header, if sent.
    public var ifRange: String?
    /// The status answered, if any.
    public var status: Int?
    /// How the exchange ended, as the fixture names it.
    public var outcome: String

    enum CodingKeys: String, CodingKey {
        case method, path, range, status, outcome
        case ifRange = "if_range"
    }
}

/// Starts one fixture server for a suite and stops it once all of the suite's tests ran.
public struct UpstreamFixtureTrait: SuiteTrait, TestScoping {
    /// The trait; use ``Trait/upstreamFixture`` instead.
    public init() {}

    /// Runs the suite with a fixture started before it and stopped after it.
    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let fixture = try await UpstreamFixture.start()
        defer { fixture.stop() }
        try await UpstreamFixture.$current.withValue(fixture) {
            try await function()
        }
    }
}

extension Trait where Self == UpstreamFixtureTrait {
    /// Runs the suite against a real `upstream_server.py` process.
    public static var upstreamFixture: Self { Self() }
}

/// `path` with a unique query parameter, so the upstream's per-path counters are private to one test.
public func unique(_ path: String) -> String {
    path + (path.contains("?") ? "&" : "?") + "t=\(UUID().uuidString)"
}
