import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI
import LarderStore
import NIOCore

/// An error answered to the client as an ``ErrorBody`` (`{"error": code, "message": ...}`) with an HTTP status.
///
/// Every failure that reaches a client goes through this type, so error bodies are always JSON and always say
/// what was wrong.
public struct LarderError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status to answer with.
    public let status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `invalid_digest`.
    public let code: String
    /// What went wrong and, where possible, what to do about it.
    public let message: String
    /// Extra response headers.
    public var headers: HTTPFields = [:]

    /// Creates an error answered with `status`.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        let body = ErrorBody(error: code, message: message).encoded()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

}

extension LarderError {
    /// 400: a request the server cannot act on.
    static func badRequest(_ code: String, _ message: String) -> LarderError { .init(.badRequest, code, message) }
    /// 404: the thing asked for is not here.
    static func notFound(_ code: String, _ message: String) -> LarderError { .init(.notFound, code, message) }

    /// 507 when `error` says the store's map or its disk is full (`StoreFailure`), else nil.
    static func storageFull(_ error: any Error) -> LarderError? {
        guard case .storageFull(let reason) = StoreFailure.classify(error) else { return nil }
        return LarderError(.insufficientStorage, "insufficient_storage",
                           "the store ran out of room (\(reason); usually a full disk); free disk space or lower --max-size; nothing was stored")
    }
}

extension HTTPResponse.Status {
    /// 507: the store cannot make room for the blob.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
