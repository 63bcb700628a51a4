import Hummingbird
import LarderCore
import Logging

/// Enforces write authorisation: classifies each request (``WriteRouteClassifier``) and, for a write, asks the
/// ``WriteAuthorizer`` before the route runs, so a refused upload is answered before its body is read. Reads pass
/// untouched, and so does everything when the server has neither a token file nor `--read-only`.
struct WriteAuthorizationMiddleware<Context: RequestContext>: RouterMiddleware {
    let authorizer: WriteAuthorizer
    let classifier: WriteRouteClassifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard authorizer.isEnforcing,
              case .write(let action) = classifier.classify(method: request.method, path: request.uri.path) else {
            return try await next(request, context)
        }
        do {
            let principal = try authorizer.authorize(action, authorization: request.headers[.authorization])
            context.logger.debug("write authorised", metadata: [
                "principal": "\(principal)", "action": "\(action)", "method": "\(request.method)", "path": "\(request.uri.path.prefix(200))",
            ])
        } catch {
            context.logger.notice("write refused", metadata: [
                "error": "\(error.code)", "action": "\(action)", "method": "\(request.method)", "path": "\(request.uri.path.prefix(200))",
            ])
            throw error
        }
        return try await next(request, context)
    }
}
