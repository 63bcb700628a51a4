import HTTPTypes
import Hummingbird
import NIOHTTP1
import Synchronization

/// Turns every error that is not already a ``LarderError`` into one, so that each error answer has a JSON body:
/// the router's "no such route" becomes 404 `not_found`, a known path asked with a method it does not serve
/// becomes 405 `method_not_allowed` (with `Allow`), Hummingbird's own errors keep their status, a request body the
/// HTTP parser rejects (a bad chunk size, say) becomes 400 `malformed_request`, and any other error becomes 500
/// `internal_error`.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes registered on the router, filled in once registration is complete (the middleware must be
    /// added before the routes it applies to).
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as LarderError {
            throw error
        } catch let error as HTTPError {
            throw translate(error, request: request)
        } catch let error as any HTTPResponseError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPParserError {
            // Met while a route reads the body: the client's bytes are at fault, not the server.
            throw LarderError.invalidRequest("malformed_request", "the request is not valid HTTP/1.1 (\(error)); nothing was stored")
        } catch {
            // Anything else would be an empty 500.
            throw LarderError(.internalFailure, "internal_error", "the server failed: \(error)")
        }
    }

    private func translate(_ error: HTTPError, request: Request) -> LarderError {
        let path = request.uri.path
        if error.status == .notFound && error.body == nil {
            let allowed = routes.methods(matching: path)
            if !allowed.isEmpty {
                let list = allowed.map(\.rawValue).joined(separator: ", ")
                var translated = LarderError(.unsupportedOperation, "method_not_allowed",
                                             "\(request.method.rawValue) is not allowed on \(path.prefix(200)); allowed: \(list)")
                translated.headers["Allow"] = list
                return translated
            }
            return LarderError(.notFound, "not_found", "no such endpoint: \(request.method.rawValue) \(path.prefix(200))")
        }
        let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
        var translated = LarderError(status: error.status, code.isEmpty ? "error" : code, error.body ?? error.status.reasonPhrase)
        for field in error.headers where field.name != .contentType && field.name != .contentLength {
            translated.headers.append(name: field.name.rawName, value: field.value)
        }
        return translated
    }
}

/// The method and path pattern of every registered route, to tell "no such path" from "wrong method".
final class RouteTable: Sendable {
    private let entries = Mutex<[(path: RouterPath, method: HTTPRequest.Method)]>([])

    /// Records the routes of `router`.
    func record(_ routes: [(path: RouterPath, method: HTTPRequest.Method)]) {
        entries.withLock { $0 = routes }
    }

    /// The methods served on `path`, sorted and without duplicates (empty when no route pattern matches).
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let matching = entries.withLock { entries in
            entries.filter { Self.matches($0.path.components, segments[...]) }.map(\.method)
        }
        var seen = Set<String>()
        return matching.filter { seen.insert($0.rawValue).inserted }.sorted { $0.rawValue < $1.rawValue }
    }

    private static func matches(_ pattern: [RouterPath.Element], _ segments: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return segments.isEmpty }
        if first == .recursiveWildcard { return true }
        guard let segment = segments.first, first ~= segment else { return false }
        return matches(Array(pattern.dropFirst()), segments.dropFirst())
    }
}
