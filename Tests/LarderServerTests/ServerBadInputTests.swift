import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

@Suite("Bad input over raw sockets: a clear 4xx, never a crash or a stored partial")
struct BadInputTests {
    @Test("a body shorter than Content-Length stores nothing and the server keeps serving")
    func shortBody() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let digest = BlobDigest(hashing: Array(repeating: 7, count: 1000))
        let connection = try RawConnection(port: server.port)
        try connection.write(Array("PUT /blobs/\(digest) HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".utf8))
        try connection.write(Array(repeating: UInt8(ascii: "a"), count: 100))
        // The upload has begun once its 1000 declared bytes are reserved; then the client goes away.
        #expect(await eventually(timeout: .seconds(20)) { server.store.statistics.reservedBytes == 1000 }, "the upload never started")
        connection.close()
        #expect(await eventually(timeout: .seconds(20)) { server.store.statistics.reservedBytes == 0 }, "the reservation must be released")
        #expect(try server.store.list().isEmpty)
        #expect(try server.store.record(digest) == nil)
        let health = try await get(server.url("/healthz"))
        #expect(health.status == 200)
    }

    @Test("a body longer than Content-Length: the declared bytes are judged, the rest is a bad next request")
    func longBody() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = [UInt8](repeating: 65, count: 100)
        let digest = BlobDigest(hashing: bytes)
        let request = "PUT /blobs/\(digest) HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + String(repeating: "A", count: 100) + "garbage that is not HTTP\r\n\r\n"
        let answer = try await RawExchange.send(port: server.port, Array(request.utf8), quietSeconds: 2)
        #expect(answer.status == 201)
        #expect(answer.text.contains("400"), "the trailing bytes are answered with 400: \(answer.text.suffix(200))")
        #expect(try server.store.record(digest)?.size == 100)
    }

    @Test("oversized headers are refused and the server survives")
    func oversizedHeaders() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 200_000) + "\r\n\r\n"
        let answer = try await RawExchange.send(port: server.port, Array(request.utf8), quietSeconds: 5)
        #expect(answer.status == 400, "\(answer.text.prefix(100))")
        #expect(answer.text.lowercased().contains("connection: close"))
        // Too many fields (the limit is 1000) in a small request.
        let fields = (0...1000).map { "X-Field-\($0): v\r\n" }.joined()
        let many = try await RawExchange.send(port: server.port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\(fields)\r\n".utf8), quietSeconds: 5)
        #expect(many.status == 400, "\(many.text.prefix(100))")
        let health = try await get(server.url("/healthz"))
        #expect(health.status == 200)
    }

    @Test("an invalid Content-Length is refused")
    func invalidContentLength() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let request = "POST /blobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n"
        let answer = try await RawExchange.send(port: server.port, Array(request.utf8), quietSeconds: 2)
        #expect(answer.status == 400)
        #expect(try server.store.list().isEmpty)
    }

    @Test("unknown paths answer 404")
    func unknownPath() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let answer = try await get(server.url("/nothing/here"))
        #expect(answer.status == 404)
    }
}
