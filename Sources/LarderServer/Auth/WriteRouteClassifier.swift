import HTTPTypes
import LarderAPI
import LarderCore

/// Sorts every request, by method and path alone, into a read or the ``WriteAction`` it performs.
///
/// `GET` and `HEAD` are reads (except below `/admin`), and so is the Hub's `POST …/paths-info/…` (a listing
/// the Hub client asks with POST). Every other method below `/admin` is ``WriteAction/admin``, below `/v2`
/// (registry pushes) ``WriteAction/blobs``. Every other request is a write: the known mutation routes are named here, shape
/// by shape, and anything else is ``WriteAction/unclassified(route:)``, which no token may do. A route added later
/// without a line here is therefore closed, not open (`WriteRouteClassifierTests` checks every registered route).
public struct WriteRouteClassifier: Sendable {
    /// What a request is.
    public enum Access: Equatable, Sendable {
        /// Open to everyone who reaches the port.
        case read
        /// Needs a token allowed to do the action.
        case write(WriteAction)
    }

    /// The Hub mirror's path prefix (`/hf`).
    public let hfPrefix: String

    /// A classifier for a server whose Hub mirror is below `hfPrefix`.
    public init(hfPrefix: String) {
        self.hfPrefix = hfPrefix
    }

    /// What `method` on `path` (the raw, percent-encoded request path) is.
    public func classify(method: HTTPRequest.Method, path: String) -> Access {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if segments.first == "admin" { return .write(.admin) }
        if method == .get || method == .head { return .read }
        // Registry pushes below /v2 (the OCI mirror is pull-only and answers them 405): they would write blobs.
        if segments.first == "v2" { return .write(.blobs) }
        let route = "\(method.rawValue) \(path.prefix(200))"
        switch (method, segments.first.map(String.init) ?? "", segments.count) {
        case (.post, "blobs", 1), (.put, "blobs", 2), (.delete, "blobs", 2):
            return .write(.blobs)
        case (.put, "blobs", 3) where segments[2] == "pin", (.delete, "blobs", 3) where segments[2] == "pin":
            return .write(.blobs)
        case (.post, "warm", 1):
            return .write(.warm)
        case (.delete, "runs", 3):
            return Self.runsWrite(flowSegment: segments[1], route: route)
        case (.put, "runs", 6) where segments[5] == "record", (.put, "runs", 7) where segments[5] == "artifacts",
             (.post, "runs", 6) where segments[5] == "fetches", (.delete, "runs", 7) where segments[5] == "fetches":
            return Self.runsWrite(flowSegment: segments[1], route: route)
        default:
            break
        }
        if method == .post, path.hasPrefix(hfPrefix + "/"),
           let target = try? HFRequestTarget.parse(path.dropFirst(hfPrefix.count)) {
            switch target {
            case .pathsInfo: return .read
            case .importRevision: return .write(.blobs)
            default: break
            }
        }
        return .write(.unclassified(route: route))
    }

    /// A write to the runs of the flow in `flowSegment`, decoded as the run routes decode it; undecodable text is
    /// left to no one.
    private static func runsWrite(flowSegment: Substring, route: String) -> Access {
        guard let flow = flowSegment.removingPercentEncoding else { return .write(.unclassified(route: route)) }
        return .write(.runs(flow: flow))
    }
}
