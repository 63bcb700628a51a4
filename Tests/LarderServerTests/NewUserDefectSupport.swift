import Foundation
import LarderStore
import LarderTestSupport

// Helpers of NewUserDefectTests (issue 17).

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
    let exitCode = try await ProcessRunner.run(
        "/usr/bin/curl", ["-sS", "--max-time", "60", "-o", base + ".body", "-D", base + ".headers"] + arguments).status
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
final class DefectChunkedUpstream: Sendable {
    let fixture: FixtureProcess
    let url: String

    private init(fixture: FixtureProcess) {
        self.fixture = fixture
        self.url = fixture.url + "/chunked.bin"
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
        return DefectChunkedUpstream(fixture: try await FixtureProcess.launchPython(["-c", script, String(bytes)], port: .firstLine))
    }

    func stop() {
        fixture.stop()
    }
}
