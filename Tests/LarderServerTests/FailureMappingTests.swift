import LarderCore
import LarderServer
import Testing

@Suite("Domain failures and their HTTP statuses")
struct FailureMappingTests {
    /// Each kind and the status RFC 9110 (and WebDAV's 507) gives that meaning.
    static let expected: [(LarderFailure.Kind, Int)] = [
        (.invalidRequest, 400), (.unauthenticated, 401), (.notPermitted, 403), (.notFound, 404), (.unsupportedOperation, 405),
        (.conflict, 409), (.rangeOutsideContent, 416), (.internalFailure, 500), (.upstreamFailed, 502),
        (.unavailable, 503), (.upstreamTimedOut, 504), (.storeFull, 507), (.upstreamStatus(401), 401),
        (.upstreamStatus(429), 429),
    ]

    @Test("the server answers each kind with its one status", arguments: expected)
    func statusOfKind(kind: LarderFailure.Kind, code: Int) {
        let failure = LarderFailure(kind, "code", "message")
        #expect(failure.status.code == code)
        #expect(failure.description == "code: message")
    }

    @Test("server-side kinds are the ones answered with 5xx")
    func serverSideMatchesStatusClass() {
        for (kind, code) in Self.expected {
            #expect(kind.isServerSide == (code >= 500), "\(kind)")
        }
    }
}
