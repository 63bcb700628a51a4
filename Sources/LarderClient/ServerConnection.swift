import Foundation
import LarderAPI
import Logging
import Upstream

/// One Larder server as the CLI talks to it: sends requests, turns transport failures and error answers into
/// ``ClientError`` messages, and decodes JSON answers. Shared by every server-backed client.
public struct ServerConnection: Sendable {
    /// The server's base URL without a trailing slash, e.g. `http://127.0.0.1:7480`.
    public let baseURL: String
    let client: UpstreamClient
    /// The write token sent with every request that changes something (see ``ClientToken``); reads go without it,
    /// so it never reaches `/hf` reads, where `Authorization` is the caller's Hugging Face token.
    let token: String?

    /// A connection to `baseURL`; `attempts` bounds retries of each request; `token` is sent with writes.
    public init(baseURL: String, attempts: Int = 2, connectTimeout: Duration = .seconds(10),
                stallTimeout: Duration = UpstreamConfiguration().stallTimeout, logger: Logger = Self.quietLogger,
                token: String? = ClientToken.fromEnvironment) {
        self.token = token
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        var configuration = UpstreamConfiguration()
        configuration.maxAttempts = attempts
        configuration.connectTimeout = connectTimeout
        configuration.stallTimeout = stallTimeout
        self.client = UpstreamClient(configuration: configuration, logger: logger)
    }

    /// `baseURL` + `path`.
    public func url(_ path: String) -> String { baseURL + path }

    /// Upstream transfer logs at warning and above only: the CLI reports failures itself.
    public static var quietLogger: Logger {
        var logger = Logger(label: "larder.upstream")
        logger.logLevel = .warning
        return logger
    }

    /// Sends `request`; throws a ``ClientError`` for transport failures and answers that are neither 2xx nor in
    /// `allowing`.
    public func send(_ request: UpstreamRequest, allowing: Set<Int> = []) async throws -> UpstreamResponse {
        let request = authorized(request)
        let response: UpstreamResponse
        do {
            response = try await client.send(request)
        } catch UpstreamError.transport(let code, let message) where code == 26 {
            // CURLE_READ_ERROR: the file to upload could not be read; the server is not to blame.
            throw ClientError("cannot send \(request.uploadFile ?? "the request body"): \(message)", permanent: true)
        } catch {
            throw ClientError("cannot reach the larder server at \(baseURL) (\(error)); is `larder serve` running? (set --server or LARDER_SERVER)")
        }
        guard (200..<300).contains(response.head.status) || allowing.contains(response.head.status) else {
            let body = (try? await response.collect(upTo: 64 * 1024)) ?? []
            let status = response.head.status
            // A refused token (401, 403) is not permanent: the same request passes once the right token is given.
            throw ClientError(Self.errorMessage(status: status, body: body),
                              permanent: (400..<500).contains(status) && ![401, 403, 408, 429].contains(status), status: status)
        }
        return response
    }

    /// `request` with `Authorization: Bearer <token>` when it is a write and carries no `Authorization` yet.
    func authorized(_ request: UpstreamRequest) -> UpstreamRequest {
        guard let token, request.method != .get, request.method != .head,
              !request.headers.contains(where: { $0.name.lowercased() == "authorization" }) else { return request }
        var request = request
        request.headers.append(("Authorization", "Bearer \(token)"))
        return request
    }

    /// Sends `request` and decodes its JSON answer.
    public func json<Value: Decodable>(_ request: UpstreamRequest) async throws -> Value {
        let body = try await send(request).collect(upTo: 512 << 20)
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            throw ClientError("unexpected answer from \(request.url): \(error)")
        }
    }

    /// The message for an error answer: the server's JSON `message` when there is one.
    static func errorMessage(status: Int, body: [UInt8]) -> String {
        if let parsed = ErrorBody.parse(body) {
            return "server answered \(status) (\(parsed.error)): \(parsed.message)"
        }
        return "server answered \(status): \(String(decoding: body.prefix(300), as: UTF8.self))"
    }

    /// Percent-encodes one path segment or query value (only ASCII letters, digits and `-._~` stay as they are).
    public static func escape(_ segment: String) -> String { PercentEscaping.segment(segment) }
}
