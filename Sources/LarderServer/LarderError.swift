import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import NIOCore

/// The server's name for a ``LarderFailure``: every failure that reaches a client goes through it, so error
/// bodies are always JSON (``ErrorBody``) and always say what was wrong.
public typealias LarderError = LarderFailure

extension LarderFailure: HTTPResponseError {
    /// The HTTP status a failure is answered with.
    public var status: HTTPResponse.Status { Self.status(of: kind) }

    /// The one mapping from ``LarderFailure/Kind`` to an HTTP status.
    static func status(of kind: Kind) -> HTTPResponse.Status {
        switch kind {
        case .invalidRequest: .badRequest
        case .unauthenticated: .unauthorized
        case .notPermitted: .forbidden
        case .notFound: .notFound
        case .unsupportedOperation: .methodNotAllowed
        case .conflict: .conflict
        case .rangeOutsideContent: .rangeNotSatisfiable
        case .internalFailure: .internalServerError
        case .upstreamFailed: .badGateway
        case .unavailable: .serviceUnavailable
        case .upstreamTimedOut: .gatewayTimeout
        case .storeFull: .insufficientStorage
        case .upstreamStatus(let code): HTTPResponse.Status(code: code)
        }
    }

    /// The kinds with a name, to turn a status back into one.
    private static let namedKinds: [Kind] = [
        .invalidRequest, .unauthenticated, .notPermitted, .notFound, .unsupportedOperation, .conflict, .rangeOutsideContent,
        .internalFailure, .upstreamFailed, .unavailable, .upstreamTimedOut, .storeFull,
    ]

    /// Creates a failure answered with `status` (Hummingbird's own errors, statuses passed on from upstreams).
    init(status: HTTPResponse.Status, _ code: String, _ message: String) {
        let kind = Self.namedKinds.first { Self.status(of: $0).code == status.code } ?? .upstreamStatus(status.code)
        self.init(kind, code, message)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        let body = ErrorBody(error: code, message: message).encoded()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension FailureHeaders {
    /// The value of the header `name`; setting replaces it.
    subscript(name: HTTPField.Name) -> String? {
        get { self[name.rawName] }
        set { self[name.rawName] = newValue }
    }
}

extension HTTPResponse.Status {
    /// 507: the store cannot make room for the blob.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
