extension LarderFailure {
    /// What kind of failure a ``LarderFailure`` is; the server answers each kind with one HTTP status.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// The request is malformed or asks for something impossible.
        case badRequest
        /// The request is not allowed (e.g. an upstream host outside the allowlist).
        case forbidden
        /// The thing asked for does not exist here.
        case notFound
        /// The path exists but does not serve this method.
        case methodNotAllowed
        /// The request conflicts with what is stored.
        case conflict
        /// The requested byte range lies outside the content.
        case rangeNotSatisfiable
        /// The server failed.
        case internalServerError
        /// An upstream answered badly or could not be reached.
        case badGateway
        /// The server cannot take the request now; asking again later may succeed.
        case serviceUnavailable
        /// An upstream did not answer in time.
        case gatewayTimeout
        /// The store cannot make room.
        case insufficientStorage
        /// A status an upstream answered with, passed on as it is (e.g. the Hub's 401 for a gated repository).
        case status(Int)

        /// Whether the failure lies with this server or an upstream rather than with the request (asking again
        /// later may succeed).
        public var isServerSide: Bool {
            switch self {
            case .badRequest, .forbidden, .notFound, .methodNotAllowed, .conflict, .rangeNotSatisfiable: false
            case .internalServerError, .badGateway, .serviceUnavailable, .gatewayTimeout, .insufficientStorage: true
            case .status(let code): code >= 500
            }
        }

        /// The HTTP status code that conventionally means this kind. Log lines and the `--data` mode's messages show
        /// it (`404 repo_not_found: …`); the server's answer status comes from its own mapping, which agrees.
        public var statusCode: Int {
            switch self {
            case .badRequest: 400
            case .forbidden: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .conflict: 409
            case .rangeNotSatisfiable: 416
            case .internalServerError: 500
            case .badGateway: 502
            case .serviceUnavailable: 503
            case .gatewayTimeout: 504
            case .insufficientStorage: 507
            case .status(let code): code
            }
        }

        public var description: String {
            switch self {
            case .badRequest: "bad request"
            case .forbidden: "forbidden"
            case .notFound: "not found"
            case .methodNotAllowed: "method not allowed"
            case .conflict: "conflict"
            case .rangeNotSatisfiable: "range not satisfiable"
            case .internalServerError: "internal error"
            case .badGateway: "bad gateway"
            case .serviceUnavailable: "unavailable"
            case .gatewayTimeout: "gateway timeout"
            case .insufficientStorage: "insufficient storage"
            case .status(let code): "status \(code)"
            }
        }
    }
}
