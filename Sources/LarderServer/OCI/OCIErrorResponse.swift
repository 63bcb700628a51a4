import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import NIOCore

extension HTTPField.Name {
    /// `Docker-Distribution-API-Version: registry/2.0`, sent on every `/v2/` answer.
    static let dockerDistributionAPIVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    /// `Warning`, on a stale tag.
    static let warning = HTTPField.Name("Warning")!
}

/// A failure under `/v2/`, answered in the OCI format `{"errors":[{"code":…,"message":…,"detail":…}]}` with the
/// status of the server's one mapping (``LarderFailure/status``).
struct OCIErrorResponse: HTTPResponseError {
    let failure: LarderFailure

    var status: HTTPResponse.Status { failure.status }

    /// The body's one entry: the failure's OCI code, its message, and its Larder code as the detail when that differs.
    var entry: OCIErrorBody.Entry {
        let code = OCIErrorCode.of(failure).rawValue
        return OCIErrorBody.Entry(code: code, message: failure.message, detail: code == failure.code ? nil : failure.code)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = HTTPFields()
        for header in failure.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        fields[.dockerDistributionAPIVersion] = "registry/2.0"
        let body = OCIErrorBody(errors: [entry]).encoded()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
