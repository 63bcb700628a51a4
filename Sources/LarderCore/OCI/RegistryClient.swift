import Foundation
import Logging
import Synchronization
import Upstream

/// Requests to upstream registries with their authentication: anonymous, basic (credentials from
/// ``RegistryCredentials``) or the bearer-token flow (`401` + `WWW-Authenticate: Bearer realm=…,service=…` → token
/// request → retry). Each registry's challenge is remembered, and tokens are cached per registry and repository
/// scope until they expire, so a pull asks the token server once per repository.
public final class RegistryClient: Sendable {
    /// The client for registry API requests (manifests, HEADs, tokens): one attempt, so a stalled upstream fails
    /// within the stall timeout and containerd can fall back.
    let client: UpstreamClient
    let credentials: RegistryCredentials
    let logger: Logger
    /// The last challenge per registry host (nil value: the registry answered `/v2/` without one, anonymous).
    private let challenges = Mutex<[String: RegistryChallenge?]>([:])
    private let tokens = Mutex<[String: (token: String, expires: ContinuousClock.Instant)]>([:])
    /// Bearer tokens are renewed this long before they expire.
    static let tokenMargin: Duration = .seconds(10)

    init(client: UpstreamClient, credentials: RegistryCredentials, logger: Logger) {
        self.client = client
        self.credentials = credentials
        self.logger = logger
    }

    /// Sends `method` to `url` for `target` with its authorization; on a 401 learns the challenge, authenticates
    /// and retries once. Returns the final response (any status); throws a ``LarderFailure`` when no answer came.
    func send(_ target: RegistryTarget, url: String, method: UpstreamMethod, headers: [(name: String, value: String)] = [])
        async throws(LarderFailure) -> UpstreamResponse {
        let authorization = try await self.authorization(for: target, probe: false)
        let response = try await send(once: target, url: url, method: method, headers: headers, authorization: authorization)
        guard response.head.status == 401, let header = response.head.header("WWW-Authenticate"),
              let challenge = RegistryChallenge(header: header) else { return response }
        challenges.withLock { $0[target.host] = .some(challenge) }
        // Without credentials to answer a basic challenge, the 401 is the answer.
        guard let renewed = try await self.authorization(for: target, challenge: challenge, forceNewToken: authorization != nil) else {
            return response
        }
        response.cancel()
        return try await send(once: target, url: url, method: method, headers: headers, authorization: renewed)
    }

    private func send(once target: RegistryTarget, url: String, method: UpstreamMethod, headers: [(name: String, value: String)],
                      authorization: String?) async throws(LarderFailure) -> UpstreamResponse {
        var request = UpstreamRequest(url: url, method: method, headers: headers)
        if let authorization { request.headers.append(("Authorization", authorization)) }
        do {
            return try await client.send(request)
        } catch {
            throw RegistryFailures.transport(error, url: url)
        }
    }

    /// The `Authorization` value for requests to `target` (nil: anonymous). With `probe`, a registry whose
    /// challenge is not known yet is asked (`GET /v2/`) first: blob fills need the header before they start.
    func authorization(for target: RegistryTarget, probe: Bool) async throws(LarderFailure) -> String? {
        let known = challenges.withLock { $0[target.host] }
        if let known {
            guard let challenge = known else { return nil }
            return try await authorization(for: target, challenge: challenge, forceNewToken: false)
        }
        guard probe else { return nil }
        let response: UpstreamResponse
        do {
            response = try await client.send(UpstreamRequest(url: target.pingURL))
        } catch {
            throw RegistryFailures.transport(error, url: target.pingURL)
        }
        response.cancel()
        let challenge = response.head.status == 401 ? response.head.header("WWW-Authenticate").flatMap(RegistryChallenge.init(header:)) : nil
        challenges.withLock { $0[target.host] = .some(challenge) }
        guard let challenge else { return nil }
        return try await authorization(for: target, challenge: challenge, forceNewToken: false)
    }

    /// The header answering `challenge`: basic credentials, or a bearer token for the repository's pull scope.
    private func authorization(for target: RegistryTarget, challenge: RegistryChallenge, forceNewToken: Bool)
        async throws(LarderFailure) -> String? {
        let login = credentials.login(for: target.credentialHosts)
        switch challenge.scheme {
        case "basic":
            return login?.basicAuthorization
        case "bearer":
            return "Bearer " + (try await token(for: target, challenge: challenge, login: login, force: forceNewToken))
        default:
            return nil
        }
    }

    /// A cached or new bearer token for `target`'s pull scope.
    private func token(for target: RegistryTarget, challenge: RegistryChallenge, login: RegistryCredentials.Login?, force: Bool)
        async throws(LarderFailure) -> String {
        let key = "\(target.host) \(target.pullScope) \(login?.username ?? "")"
        let now = ContinuousClock.now
        if !force, let cached = tokens.withLock({ $0[key] }), cached.expires > now { return cached.token }
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw LarderFailure(.upstreamFailed, "upstream_auth", "the registry \(target.host) asked for a bearer token without a usable realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: target.pullScope))
        components.queryItems = query
        let url = components.string ?? realm
        var request = UpstreamRequest(url: url)
        if let login { request.headers.append(("Authorization", login.basicAuthorization)) }
        let body: [UInt8]
        do {
            let response = try await client.send(request)
            guard response.head.status == 200 else {
                let text = (try? await response.collect(upTo: 4096)) ?? []
                response.cancel()
                throw RegistryFailures.status(response.head.status, body: text, retryAfter: response.head.header("Retry-After"),
                                              notFoundCode: .unauthorized, what: "a token for \(target.displayName)")
            }
            body = try await response.collect(upTo: 1 << 20)
        } catch {
            throw RegistryFailures.transport(error, url: url)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let token = (object["token"] as? String) ?? (object["access_token"] as? String), !token.isEmpty else {
            throw LarderFailure(.upstreamFailed, "upstream_auth", "the token server of \(target.host) answered without a token")
        }
        let lifetime = max(60, (object["expires_in"] as? NSNumber)?.intValue ?? 60)
        let expires = now + .seconds(lifetime) - Self.tokenMargin
        tokens.withLock { $0[key] = (token, expires) }
        logger.debug("registry token issued", metadata: ["registry": "\(target.host)", "scope": "\(target.pullScope)", "seconds": "\(lifetime)"])
        return token
    }

    /// Forgets learned challenges and tokens (tests, rotated credentials).
    func reset() {
        challenges.withLock { $0.removeAll() }
        tokens.withLock { $0.removeAll() }
    }
}
