import HTTPTypes
import Hummingbird
import LarderCore

/// Marks a request sent by another node of the peer tier (``PeerHop/headerName``) for the whole of its handling
/// (``PeerHop/incoming``), so the fills it starts go to the upstream and are never forwarded to a peer again.
struct PeerHopMiddleware<Context: RequestContext>: RouterMiddleware {
    static var field: HTTPField.Name { HTTPField.Name(PeerHop.headerName)! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let from = request.headers[Self.field] else {
            return try await next(request, context)
        }
        return try await PeerHop.$incoming.withValue(from.isEmpty ? "unknown" : from) {
            try await next(request, context)
        }
    }
}
