import Foundation
import Hummingbird
import LarderServer
import LarderStore
import LarderTestSupport
import Logging
import ServiceLifecycle
import Testing
import Upstream
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17 over HTTP: refused writes evict nothing (item 4), a failed digest check is reported clearly and not
/// transferred again (item 10), repeated POSTs say `created: false` (item 11), unknown routes and methods answer
/// JSON (item 15), and a graceful shutdown does not wait for the access-time flush (item 16).
@Suite("New-user defects (issue 17)", .timeLimit(.minutes(2)))
struct NewUserDefectTests {
    @Test("a chunked POST refused with 507 evicts nothing")
    func refusedChunkedUploadKeepsBlobs() async throws {
        let server = try await DefectServer.start { $0.store.maxSize = 5 << 20 }
        defer { server.stop() }
        _ = try await server.store.put(defectBytes(2 << 20, seed: 1), pinned: true)
        let unpinnedBytes = defectBytes(2 << 20, seed: 2)
        let unpinned = try await server.store.put(unpinnedBytes)

        let file = try defectTemporaryFile(defectBytes(6 << 20, seed: 3))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let answer = try await defectCurl(["-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Expect:",
                                           "--data-binary", "@" + file, server.url("/blobs")])
        #expect(answer.status == 507, "answer: \(answer.status) \(answer.body)")

        let after = try await defectCurl([server.url("/blobs/\(unpinned.digest)")])
        #expect(after.status == 200, "the refused upload evicted the unpinned blob")
        let intact = Array(after.bodyData) == unpinnedBytes
        #expect(intact, "the unpinned blob's bytes changed")
        #expect(server.store.statistics.evictions == 0)
        #expect(server.store.statistics.blobCount == 2)
    }

    @Test("a fetch from a chunked upstream that cannot fit evicts nothing")
    func refusedChunkedFetchKeepsBlobs() async throws {
        let upstream = try await ChunkedUpstream.start(bytes: 6 << 20)
        defer { upstream.stop() }
        let server = try await DefectServer.start { $0.store.maxSize = 5 << 20 }
        defer { server.stop() }
        _ = try await server.store.put(defectBytes(2 << 20, seed: 4), pinned: true)
        let unpinnedBytes = defectBytes(2 << 20, seed: 5)
        let unpinned = try await server.store.put(unpinnedBytes)

        let answer = try await defectCurl([server.url("/fetch?url=" + defectEscape(upstream.url))])
        #expect(answer.status != 200 || answer.exitCode != 0 || answer.bodyData.count < 6 << 20,
                "6 MiB cannot fit in a 5 MiB store, yet the fetch succeeded")
        #expect(try server.store.record(unpinned.digest) != nil, "the refused fill evicted the unpinned blob")
        let after = try await defectCurl([server.url("/blobs/\(unpinned.digest)")])
        let intact = Array(after.bodyData) == unpinnedBytes
        #expect(intact, "the unpinned blob's bytes changed")
        #expect(server.store.statistics.evictions == 0)
    }

    @Test("POST /blobs of content already stored says created: false")
    func repeatedPostIsNotCreated() async throws {
        let server = try await DefectServer.start()
        defer { server.stop() }
        let file = try defectTemporaryFile(Array("same content\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let first = try await defectCurl(["-X", "POST", "--data-binary", "@" + file, server.url("/blobs")])
        let second = try await defectCurl(["-X", "POST", "--data-binary", "@" + file, server.url("/blobs")])
        #expect(first.status == 201)
        #expect(first.json?["created"] as? Bool == true)
        #expect(second.json?["created"] as? Bool == false, "second POST answered \(second.body)")
        #expect(first.json?["digest"] as? String == second.json?["digest"] as? String)
        // Chunked (no Content-Length) takes the same path.
        let third = try await defectCurl(["-X", "POST", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file,
                                          server.url("/blobs")])
        #expect(third.json?["created"] as? Bool == false)
        #expect(server.store.statistics.blobCount == 1)
    }

    @Test("unknown paths answer 404 and wrong methods 405, both with a JSON error body")
    func unknownRoutesAnswerJSON() async throws {
        let server = try await DefectServer.start()
        defer { server.stop() }
        let missing = try await defectCurl([server.url("/nope")])
        #expect(missing.status == 404)
        #expect(missing.json?["error"] as? String == "not_found", "body: \(missing.body)")
        #expect((missing.json?["message"] as? String)?.contains("/nope") == true)
        #expect(missing.header("content-type")?.hasPrefix("application/json") == true)

        let patch = try await defectCurl(["-X", "PATCH", server.url("/blobs")])
        #expect(patch.status == 405)
        #expect(patch.json?["error"] as? String == "method_not_allowed", "body: \(patch.body)")
        #expect(patch.header("allow")?.contains("POST") == true)
        #expect(patch.header("allow")?.contains("GET") == true)

        let deleteFetch = try await defectCurl(["-X", "DELETE", server.url("/fetch?url=x")])
        #expect(deleteFetch.status == 405)
        #expect(deleteFetch.json?["error"] as? String == "method_not_allowed")

        // Errors the routes raise themselves keep their codes.
        let badDigest = try await defectCurl([server.url("/blobs/nothex")])
        #expect(badDigest.status == 400)
        #expect(badDigest.json?["error"] as? String == "invalid_digest")
    }

    @Test("a digest mismatch is remembered: the next request is told at once, without a second transfer")
    func digestMismatchIsRemembered() async throws {
        let fixture = try await UpstreamFixture.start(bigSize: 1 << 20)
        defer { fixture.stop() }
        let server = try await DefectServer.start()
        defer { server.stop() }
        let wrong = String(repeating: "ab", count: 32)
        let actual = BlobDigest(hashing: fixture.big).hex
        let path = "/fetch?url=" + defectEscape(fixture.url("/files/big.bin")) + "&sha256=" + wrong

        // The first answer started before the last byte could be checked: it is cut short.
        let first = try await defectCurl([server.url(path)])
        #expect(first.exitCode != 0 || first.status != 200, "a body that failed its digest check was delivered whole")

        let second = try await defectCurl([server.url(path)])
        #expect(second.status == 502)
        #expect(second.json?["error"] as? String == "digest_mismatch", "body: \(second.body)")
        let message = second.json?["message"] as? String ?? ""
        #expect(message.contains(wrong) && message.contains(actual), "message: \(message)")
        #expect(try fixture.requests(to: "/files/big.bin").count == 1, "the content was transferred again")
        #expect(try server.store.record(BlobDigest(hashing: fixture.big)) == nil)

        // The right digest is not affected.
        let right = try await defectCurl([server.url("/fetch?url=" + defectEscape(fixture.url("/files/big.bin")) + "&sha256=" + actual)])
        #expect(right.status == 200)
        let whole = Array(right.bodyData) == fixture.big
        #expect(whole, "the content with the right digest was not delivered whole")
    }

    @Test("a graceful shutdown does not wait for the access-time flush interval")
    func gracefulShutdownIsPrompt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-shutdown-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = DefectServer.configuration(directory: directory)
        configuration.accessFlushInterval = .seconds(30)
        let services = try LarderServices(configuration: configuration)
        let record = try await services.store.put(Array("read me".utf8))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(configuration, services: services) { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: configuration.logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        // A read leaves an access time to flush at shutdown.
        let read = try await defectCurl(["http://127.0.0.1:\(port)/blobs/\(record.digest)"])
        #expect(read.status == 200)

        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        let elapsed = ContinuousClock.now - started
        // The flush interval is 30 s; a prompt shutdown takes well under a second (bound generous for loaded CI).
        #expect(elapsed < .seconds(5), "shutdown took \(elapsed)")
        let flushed = try services.store.record(record.digest)
        #expect((flushed?.lastAccess ?? 0) > record.lastAccess, "the last access time was not flushed at shutdown")
        services.store.close()
    }
}

// MARK: - Helpers (self-contained, so this file does not depend on the shared test support)

/// A Larder server in this process on a free loopback port.
private final class DefectServer: Sendable {
    let services: LarderServices
    let port: Int
    let directory: String
    private let task: Task<Void, any Error>

    static func configuration(directory: String) -> ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: directory, maxSize: 1 << 30)
        configuration.port = 0
        configuration.allowlist = UpstreamAllowlist(["127.0.0.1"])
        configuration.store.chunkSize = 64 * 1024
        configuration.upstream.initialBackoff = .milliseconds(20)
        configuration.upstream.connectTimeout = .seconds(2)
        configuration.logger = Logger(label: "larder-defect-test", factory: { _ in SwiftLogNoOpLogHandler() })
        return configuration
    }

    static func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> DefectServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-defects-\(UUID().uuidString)").path
        var configuration = configuration(directory: directory)
        configure(&configuration)
        let services = try LarderServices(configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(configuration, services: services) { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FixtureError("server did not start") }
        return DefectServer(services: services, port: port, directory: directory, task: task)
    }

    private init(services: LarderServices, port: Int, directory: String, task: Task<Void, any Error>) {
        self.services = services
        self.port = port
        self.directory = directory
        self.task = task
    }

    var store: BlobStore { services.store }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Stops the server (without waiting for it) and removes its data once it is down.
    func stop() {
        let task = self.task
        let services = self.services
        let directory = self.directory
        task.cancel()
        Task {
            _ = try? await task.value
            services.store.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

/// What `curl` got.
private struct CurlAnswer: Sendable {
    var exitCode: Int32
    var status: Int
    var headers: [String: String]
    var bodyData: Data

    var body: String { String(decoding: bodyData.prefix(2000), as: UTF8.self) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: bodyData)) as? [String: Any] }
}

/// Runs `curl -sS` with `arguments` (on its own thread), capturing status, headers and body.
private func defectCurl(_ arguments: [String]) async throws -> CurlAnswer {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("larder-curl-\(UUID().uuidString)").path
    defer {
        try? FileManager.default.removeItem(atPath: base + ".body")
        try? FileManager.default.removeItem(atPath: base + ".headers")
    }
    let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                process.arguments = ["-sS", "--max-time", "60", "-o", base + ".body", "-D", base + ".headers"] + arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                return process.terminationStatus
            })
        }.start()
    }
    let headerText = (try? String(contentsOfFile: base + ".headers", encoding: .utf8)) ?? ""
    var status = 0
    var headers: [String: String] = [:]
    for line in headerText.components(separatedBy: "\r\n") {
        if line.hasPrefix("HTTP/") {
            status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            headers = [:]
        } else if let colon = line.firstIndex(of: ":") {
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }
    let body = FileManager.default.contents(atPath: base + ".body") ?? Data()
    return CurlAnswer(exitCode: exitCode, status: status, headers: headers, bodyData: body)
}

/// Deterministic bytes, different per seed.
private func defectBytes(_ count: Int, seed: UInt8) -> [UInt8] {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

private func defectTemporaryFile(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("larder-upload-\(UUID().uuidString)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

private func defectEscape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

/// An upstream on 127.0.0.1 that answers every GET with `bytes` bytes in chunked encoding (no Content-Length).
private final class ChunkedUpstream: @unchecked Sendable {
    // Invariant: both properties are set in `init` and never changed; `stop()` is called once.
    let process: Process
    let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    static func start(bytes: Int) async throws -> ChunkedUpstream {
        let script = """
        import http.server, sys
        TOTAL = int(sys.argv[1])
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                block = bytes(range(256)) * 256
                sent = 0
                try:
                    while sent < TOTAL:
                        piece = block[:TOTAL - sent]
                        self.wfile.write(b"%x\\r\\n" % len(piece) + piece + b"\\r\\n")
                        sent += len(piece)
                    self.wfile.write(b"0\\r\\n\\r\\n")
                except OSError:
                    pass
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, String(bytes)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line: String = await withCheckedContinuation { continuation in
            Thread {
                var data = Data()
                while !data.contains(0x0a) {
                    let next = output.fileHandleForReading.availableData
                    if next.isEmpty { break }
                    data.append(next)
                }
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }.start()
        }
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw FixtureError("the chunked upstream did not start")
        }
        return ChunkedUpstream(process: process, url: "http://127.0.0.1:\(port)/chunked.bin")
    }

    func stop() {
        // SIGKILL: SIGTERM may be blocked in the signal mask the child inherited, and it holds no state.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
