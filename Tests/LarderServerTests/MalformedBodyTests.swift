import Foundation
import LarderTestSupport
import Testing

/// Regression (found by the fault suite, issue 12): a request body the HTTP parser rejects while a route reads it
/// (a chunk size that is not hex, or overflows) was answered 500 `internal_error`; it is the client's fault: 400.
@Suite("A malformed request body is the client's fault: 400, never 500")
struct MalformedBodyTests {
    @Test("a bad chunk size answers 400 malformed_request on every route that reads a body", arguments: [
        "POST /blobs", "PUT /runs/f/r/s/t/record", "PUT /runs/f/r/s/t/artifacts/a.bin",
    ])
    func badChunkSize(route: String) async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        for size in ["zz", "FFFFFFFFFFFFFFFFFFFF"] {
            let request = "\(route) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\(size)\r\nabc\r\n0\r\n\r\n"
            let answer = try await RawExchange.send(port: server.port, Array(request.utf8), quietSeconds: 5)
            #expect(answer.status == 400, "\(route) chunk size \(size): \(answer.text.prefix(300))")
            #expect(answer.text.contains("malformed_request"), "\(answer.text.prefix(300))")
        }
        #expect(try server.store.list().isEmpty)
        #expect(server.store.statistics.reservedBytes == 0)
    }
}
