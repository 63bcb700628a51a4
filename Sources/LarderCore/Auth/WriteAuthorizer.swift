import Logging

/// Decides whether a request may make a change: "may the bearer of this `Authorization` header do this
/// ``WriteAction``?". The server asks it once per mutating request, before the request's body is read.
///
/// - Without a token file every write is allowed (a single-user or development setup).
/// - With one, a request needs `Authorization: Bearer <token>` with a token from the file whose scopes allow the
///   action: no or an unknown token is ``LarderFailure/Kind/unauthenticated`` (`token_required`, `invalid_token`),
///   a known token outside its scopes ``LarderFailure/Kind/notPermitted`` (`insufficient_scope`).
/// - In read-only mode every write is refused (`read_only`), whatever the token.
public struct WriteAuthorizer: Sendable {
    /// The tokens; nil when writes are open.
    public let tokens: TokenStore?
    /// Refuse every write.
    public let readOnly: Bool

    /// The `WWW-Authenticate` challenge of refusals (RFC 6750).
    public static let realm = "larder"

    /// An authoriser over `tokens` (nil: open), refusing everything when `readOnly`.
    public init(tokens: TokenStore?, readOnly: Bool) {
        self.tokens = tokens
        self.readOnly = readOnly
    }

    /// Builds the authoriser `configuration` asks for, reading its token file.
    public init(configuration: WriteAccessConfiguration, logger: Logger) throws(TokenStore.LoadError) {
        self.tokens = try configuration.tokenFile.map { path throws(TokenStore.LoadError) in try TokenStore(path: path, logger: logger) }
        self.readOnly = configuration.readOnly
    }

    /// Whether any write needs a token (or is refused).
    public var isEnforcing: Bool { tokens != nil || readOnly }

    /// Who made an allowed write: a token's principal, or `anonymous` when writes are open.
    public typealias Principal = String

    /// Returns who may do `action` with `authorization` (the request's `Authorization` header), or throws the
    /// refusal to answer with.
    public func authorize(_ action: WriteAction, authorization: String?) throws(LarderFailure) -> Principal {
        if readOnly {
            throw LarderFailure(.notPermitted, "read_only", "this server is read-only (--read-only): it serves content but refuses to \(action)")
        }
        // Open mode: every write, classified or not, is left to the route.
        guard let tokens else { return "anonymous" }
        guard let presented = Self.bearer(authorization) else {
            throw Self.challenge(.unauthenticated, "token_required", nil,
                                 "a token is required to \(action): send Authorization: Bearer <token> (the CLI reads $LARDER_TOKEN or --token-file)")
        }
        guard let entry = tokens.current().entry(for: presented) else {
            throw Self.challenge(.unauthenticated, "invalid_token", "invalid_token",
                                 "the bearer token is not one this server accepts; check $LARDER_TOKEN or --token-file against the server's token file")
        }
        guard entry.allows(action) else {
            if case .unclassified(let route) = action {
                throw Self.challenge(.notPermitted, "unclassified_route", "insufficient_scope",
                                     "\(route) is not classified for write authorisation, so no token may use it")
            }
            let scopes = entry.scopes.map(\.description).joined(separator: " ")
            throw Self.challenge(.notPermitted, "insufficient_scope", "insufficient_scope",
                                 "\(entry.principal) may not \(action); its scopes are: \(scopes)")
        }
        return entry.principal
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or nil.
    public static func bearer(_ authorization: String?) -> Substring? {
        guard let authorization else { return nil }
        let trimmed = authorization.drop { $0 == " " }
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).drop { $0 == " " }
        let end = token.lastIndex { $0 != " " }.map { token.index(after: $0) } ?? token.startIndex
        let value = token[..<end]
        return value.isEmpty ? nil : value
    }

    private static func challenge(_ kind: LarderFailure.Kind, _ code: String, _ error: String?, _ message: String) -> LarderFailure {
        var failure = LarderFailure(kind, code, message)
        var value = "Bearer realm=\"\(realm)\""
        if let error { value += ", error=\"\(error)\"" }
        failure.headers["WWW-Authenticate"] = value
        return failure
    }
}

/// How writes are authorised (`larder serve --token-file`, `--read-only`).
public struct WriteAccessConfiguration: Sendable {
    /// The token file; nil leaves writes open to whoever reaches the port.
    public var tokenFile: String?
    /// Refuse every write.
    public var readOnly = false

    /// Open writes.
    public init() {}
}
