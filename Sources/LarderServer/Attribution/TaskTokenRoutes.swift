import Foundation
import Hummingbird
import LarderAPI
import LarderCore
import RunModel

/// Registering a task for attribution and collecting what it was served:
///
/// - `POST /runs/<flow>/<run>/<step>/<task>/fetches[?attempt=N]` → 201 ``TaskTokenReceipt`` (the token for
///   `/t/<token>/…`);
/// - `DELETE /runs/<flow>/<run>/<step>/<task>/fetches/<token>` → 200 with the task's ``TaskFetches`` (the `fetches`
///   section of its record), ending the registration.
///
/// Both are writes to the flow's runs (the same token that may store the task's record may do them).
struct TaskTokenRoutes<Context: RequestContext>: Sendable {
    let attribution: TaskAttribution

    func register(on router: Router<Context>) {
        router.post("/runs/:flow/:run/:step/:task/fetches", use: start)
        router.delete("/runs/:flow/:run/:step/:task/fetches/:token", use: collect)
    }

    @Sendable func start(_ request: Request, _ context: Context) async throws -> Response {
        var attempt = 0
        if let text = request.uri.queryParameters["attempt"] {
            guard let value = Int(text), value >= 0 else {
                throw LarderError.invalidRequest("invalid_attempt", "attempt=\"\(text.prefix(40))\" is not a non-negative integer")
            }
            attempt = value
        }
        let registration = attribution.register(try identity(context, attempt: attempt))
        let receipt = TaskTokenReceipt(token: registration.token, prefix: "/t/\(registration.token)",
                                       idleExpirySeconds: attribution.idleExpiry.seconds)
        context.logger.info("task registered for fetch attribution", metadata: ["task": "\(registration.identity)"])
        return try RouteSupport.json(receipt, status: .created)
    }

    @Sendable func collect(_ request: Request, _ context: Context) async throws -> Response {
        let identity = try identity(context, attempt: 0)
        let token = context.parameters.get("token") ?? ""
        let fetches = try attribution.collect(Substring(token), for: identity)
        context.logger.info("task fetches collected", metadata: [
            "task": "\(identity.pathspec)", "objects": "\(fetches.objects)", "bytes": "\(fetches.bytes)",
            "upstreamBytes": "\(fetches.upstreamBytes)", "seconds": "\(fetches.seconds)",
        ])
        return try RouteSupport.json(fetches)
    }

    private func identity(_ context: Context, attempt: Int) throws -> TaskIdentity {
        var names: [String] = []
        for field in ["flow", "run", "step", "task"] {
            let raw = context.parameters.get(field) ?? ""
            guard let value = raw.removingPercentEncoding else {
                throw LarderError.invalidRequest("invalid_name", "\(field) \"\(raw.prefix(100))\" is not valid percent-encoding")
            }
            names.append(value)
        }
        do {
            return try TaskIdentity(flow: names[0], run: names[1], step: names[2], task: names[3], attempt: attempt)
        } catch {
            throw LarderError.invalidRequest("invalid_name", "\(error)")
        }
    }
}
