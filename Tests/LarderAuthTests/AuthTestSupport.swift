import Foundation
import LarderAPI
import LarderTestSupport
import Logging
import Upstream

/// A real HTTP client (libcurl) with retries off, so the tests see every answer as the server gave it.
let authClient: UpstreamClient = {
    var configuration = UpstreamConfiguration()
    configuration.maxAttempts = 1
    configuration.connectTimeout = .seconds(5)
    configuration.stallTimeout = .seconds(30)
    return UpstreamClient(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
}()

/// An answer read to the end.
struct Answer: Sendable, CustomStringConvertible {
    var status: Int
    var head: UpstreamResponseHead
    var body: [UInt8]

    func header(_ name: String) -> String? { head.header(name) }

    /// The `error` code of a JSON error body.
    var errorCode: String? { ErrorBody.parse(body)?.error }

    var description: String { "\(status) \(String(decoding: body.prefix(300), as: UTF8.self))" }
}

/// Sends one request and reads the whole answer.
func send(_ method: UpstreamMethod, _ url: String, token: String? = nil, authorization: String? = nil,
          body: [UInt8]? = nil, contentType: String? = nil) async throws -> Answer {
    var headers: [(name: String, value: String)] = [("Expect", "")]
    if let token { headers.append(("Authorization", "Bearer \(token)")) }
    if let authorization { headers.append(("Authorization", authorization)) }
    if let contentType { headers.append(("Content-Type", contentType)) }
    let response = try await authClient.send(UpstreamRequest(url: url, method: method, headers: headers, uploadData: body ?? (method == .put || method == .post ? [] : nil)))
    var bytes: [UInt8] = []
    for try await block in response { bytes += block }
    return Answer(status: response.head.status, head: response.head, body: bytes)
}

/// Sends one request with a method libcurl's wrapper does not offer (`PATCH`) over a raw socket, with
/// `Connection: close`, and parses the answer (bodies with `Content-Length`, as the server's error answers have).
func sendRaw(_ method: String, port: Int, path: String, token: String? = nil, authorization: String? = nil,
             body: [UInt8] = []) async throws -> Answer {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
    if let token { head += "Authorization: Bearer \(token)\r\n" }
    if let authorization { head += "Authorization: \(authorization)\r\n" }
    let answer = try await RawExchange.send(port: port, Array((head + "\r\n").utf8) + body)
    let separator = Array("\r\n\r\n".utf8)
    guard let split = answer.bytes.firstRange(of: separator), let status = answer.status else {
        throw FixtureError("no HTTP answer to \(method) \(path): \(answer.text.prefix(200))")
    }
    let lines = String(decoding: answer.bytes[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n").dropFirst()
    let headers = lines.compactMap { line -> (name: String, value: String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    let responseHead = UpstreamResponseHead(status: status, headers: headers, effectiveURL: path, contentLength: nil)
    return Answer(status: status, head: responseHead, body: Array(answer.bytes[split.upperBound...]))
}

/// The tokens the tests' token file holds, each with one scope (or none).
enum TestTokens {
    static let admin = "tok-admin-0123456789abcdef"
    static let blobs = "tok-blobs-0123456789abcdef"
    static let warm = "tok-warm-0123456789abcdef"
    static let nightly = "tok-nightly-0123456789abcdef"
    static let other = "tok-otherflow-0123456789abcdef"
    static let all = "tok-all-0123456789abcdef"
    static let unknown = "tok-unknown-0123456789abcdef"

    static let file = """
        # the tests' write tokens
        \(admin) admin
        \(blobs) blobs
        \(warm) warm
        \(nightly) runs:Nightly
        \(other) runs:Other
        \(all)

        """

    /// Writes the token file to a fresh temporary path.
    static func writeFile(_ text: String = file) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("larder-tokens-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
