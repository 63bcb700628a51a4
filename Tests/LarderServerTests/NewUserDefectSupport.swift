import Foundation
import Hummingbird
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import Logging
import Upstream
#if canImport(Glibc)
import Glibc
#endif

// Helpers of NewUserDefectTests (issue 17), self-contained so those tests do not depend on the shared test support.

/// A Larder server in this process on a free loopback port.
final class DefectServer: Sendable {
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
struct DefectCurlAnswer: Sendable {
    var exitCode: Int32
    var status: Int
    var headers: [String: String]
    var bodyData: Data

    var body: String { String(decoding: bodyData.prefix(2000), as: UTF8.self) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: bodyData)) as? [String: Any] }
}

/// Runs `curl -sS` with `arguments` (on its own thread), capturing status, headers and body.
func defectCurl(_ arguments: [String]) async throws -> DefectCurlAnswer {
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
    return DefectCurlAnswer(exitCode: exitCode, status: status, headers: headers, bodyData: body)
}

/// Deterministic bytes, different per seed.
func defectBytes(_ count: Int, seed: UInt8) -> [UInt8] {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

func defectTemporaryFile(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("larder-upload-\(UUID().uuidString)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

func defectEscape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

/// An upstream on 127.0.0.1 that answers every GET with `bytes` bytes in chunked encoding (no Content-Length).
final class DefectChunkedUpstream: @unchecked Sendable {
    // Invariant: both properties are set in `init` and never changed; `stop()` is called once.
    let process: Process
    let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    static func start(bytes: Int) async throws -> DefectChunkedUpstream {
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
        return DefectChunkedUpstream(process: process, url: "http://127.0.0.1:\(port)/chunked.bin")
    }

    func stop() {
        // SIGKILL: SIGTERM may be blocked in the signal mask the child inherited, and it holds no state.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
