import Foundation
import HTTPTypes
import Hummingbird
import LarderCore

/// Answers `/t/<token>/X` exactly as `/X` (same routes, same middleware, same write authorisation), with the
/// request attributed to the task registered under `<token>` (``AttributedRequest``), so that every object served
/// to it is added to that task's fetches. Everything else goes to the router untouched.
///
/// An unknown, expired or malformed token is answered `404 unknown_task_token`, naming it.
struct TaskPrefixResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == LarderRequestContext {
    typealias Context = LarderRequestContext

    let inner: Inner
    let attribution: TaskAttribution
    let namer: ServedObjectNamer

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let target = request.head.path, target.hasPrefix("/t/") || target == "/t" || target.hasPrefix("/t?") else {
            return try await inner.respond(to: request, context: context)
        }
        do {
            return try await respond(to: request, target: target, context: context)
        } catch let failure as LarderError {
            // Outside the router its error middleware does not run: answer with the JSON body here.
            context.logger.debug("request", metadata: [
                "method": "\(request.method)", "path": "\(target.prefix(200))", "status": "\(failure.status.code)", "error": "\(failure.code)",
            ])
            return try failure.response(from: request, context: context)
        }
    }

    private func respond(to request: Request, target: String, context: Context) async throws -> Response {
        let arrived = Date()
        let arrivedAt = ContinuousClock.now
        let (token, rest) = Self.split(target)
        guard let rest else {
            throw LarderError.notFound("not_found", "a task URL is <server>/t/<token>/<path>, e.g. /t/<token>/hf or "
                                           + "/t/<token>/fetch?url=…; the token comes from POST /runs/<flow>/<run>/<step>/<task>/fetches")
        }
        var registration = try attribution.registration(token)
        var path = rest
        // A task started inside another (a nested `larder run`) has its own prefix after its parent's: the
        // innermost one is the task that fetched.
        while path.hasPrefix("/t/") {
            let (inner, innerRest) = Self.split(path)
            guard let innerRest else { break }
            registration = try attribution.registration(inner)
            path = innerRest
        }
        var head = request.head
        head.path = path
        let rewritten = Request(head: head, body: request.body)
        let attributed = AttributedRequest(log: registration.log, namer: namer, arrived: arrived, arrivedAt: arrivedAt)
        // Every log line of the request names the task it was made for.
        var context = context
        context.logger[metadataKey: "task"] = "\(registration.identity)"
        return try await AttributedRequest.$current.withValue(attributed) { [context] in
            try await inner.respond(to: rewritten, context: context)
        }
    }

    /// Splits `/t/<token>/<rest>` into the token and `/<rest>` (query included); `rest` is nil when the target ends after
    /// the token.
    static func split(_ target: String) -> (token: Substring, rest: String?) {
        let afterPrefix = target.dropFirst(target.hasPrefix("/t/") ? 3 : 2)
        guard let slash = afterPrefix.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return (afterPrefix, nil) }
        let token = afterPrefix[..<slash]
        guard afterPrefix[slash] == "/" else { return (token, nil) }
        return (token, String(afterPrefix[slash...]))
    }
}
