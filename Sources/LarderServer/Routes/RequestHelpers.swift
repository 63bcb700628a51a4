import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI

extension HTTPField.Name {
    /// `X-Larder-Cache: hit | miss | coalesced`.
    static let larderCache = HTTPField.Name("X-Larder-Cache")!
    /// The digest header registries use.
    static let dockerContentDigest = HTTPField.Name("Docker-Content-Digest")!
}

/// Helpers shared by the route groups.
enum RouteSupport {
    /// Parses the `:digest` path parameter, answering 400 with what a digest must look like.
    static func digest(_ context: some RequestContext) throws -> BlobDigest {
        let text = context.parameters.get("digest") ?? ""
        guard let digest = BlobDigest(parsing: text) else {
            throw LarderError.invalidRequest("invalid_digest", "\"\(text.prefix(100))\" is not a digest; expected sha256:<64 lowercase hex digits>")
        }
        return digest
    }

    /// A JSON response of `value`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        var data = try encoder.encode(value)
        data.append(0x0a)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
