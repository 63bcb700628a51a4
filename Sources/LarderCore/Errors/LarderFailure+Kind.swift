extension LarderFailure {
    /// What kind of failure a ``LarderFailure`` is, in the domain's terms. The server answers each kind with one
    /// HTTP status (its mapping is the only place that knows the numbers).
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// The request is malformed or asks for something impossible.
        case invalidRequest
        /// The caller did not say who it is, or presented a credential that is not accepted (write authorisation).
        case unauthenticated
        /// The caller may not do this (e.g. an upstream host outside the allowlist).
        case notPermitted
        /// The thing asked for does not exist here.
        case notFound
        /// The resource exists but does not support this operation.
        case unsupportedOperation
        /// The request conflicts with what is stored.
        case conflict
        /// The requested byte range lies outside the content.
        case rangeOutsideContent
        /// Larder itself failed.
        case internalFailure
        /// An upstream answered badly or could not be reached.
        case upstreamFailed
        /// Larder cannot take the request now; asking again later may succeed.
        case unavailable
        /// An upstream did not answer in time.
        case upstreamTimedOut
        /// The store cannot make room.
        case storeFull
        /// An upstream's own answer, passed on as it is (e.g. the Hub's 401 for a gated repository).
        case upstreamStatus(Int)

        /// Whether the failure lies with Larder or an upstream rather than with the request (asking again later
        /// may succeed).
        public var isServerSide: Bool {
            switch self {
            case .invalidRequest, .unauthenticated, .notPermitted, .notFound, .unsupportedOperation, .conflict, .rangeOutsideContent: false
            case .internalFailure, .upstreamFailed, .unavailable, .upstreamTimedOut, .storeFull: true
            case .upstreamStatus(let code): code >= 500
            }
        }

        public var description: String {
            switch self {
            case .invalidRequest: "invalid request"
            case .unauthenticated: "unauthenticated"
            case .notPermitted: "not permitted"
            case .notFound: "not found"
            case .unsupportedOperation: "unsupported operation"
            case .conflict: "conflict"
            case .rangeOutsideContent: "range outside content"
            case .internalFailure: "internal failure"
            case .upstreamFailed: "upstream failed"
            case .unavailable: "unavailable"
            case .upstreamTimedOut: "upstream timed out"
            case .storeFull: "store full"
            case .upstreamStatus(let code): "upstream status \(code)"
            }
        }
    }
}
