import LarderCore
import LarderServer
import Testing

@Suite("Domain failures and their HTTP statuses")
struct FailureMappingTests {
    static let kinds: [LarderFailure.Kind] = [
        .badRequest, .forbidden, .notFound, .methodNotAllowed, .conflict, .rangeNotSatisfiable, .internalServerError,
        .badGateway, .serviceUnavailable, .gatewayTimeout, .insufficientStorage, .status(401), .status(429),
    ]

    @Test("the server answers each kind with the status its messages show", arguments: kinds)
    func statusMatchesCode(kind: LarderFailure.Kind) {
        let failure = LarderFailure(kind, "code", "message")
        #expect(failure.status.code == kind.statusCode)
        #expect(failure.description == "\(kind.statusCode) code: message")
    }
}
