import Foundation
import Testing
import Upstream

@Suite("Request bodies, methods and validation", .upstreamFixture, .timeLimit(.minutes(1)))
struct RequestTests {
    @Test("PUT streams a file as the request body")
    func putFile() async throws {
        let fixture = try currentFixture()
        let name = "put-\(UUID().uuidString)"
        let file = fixture.root.appendingPathComponent("files/big.bin").path
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let put = try await client.send(UpstreamRequest(url: fixture.url("/upload/\(name)"), method: .put, uploadFile: file))
        #expect(put.head.status == 201)
        let reply = String(decoding: try await put.collect(upTo: 1000), as: UTF8.self)
        #expect(reply.contains("\"length\": \(fixture.big.count)"))

        let back = try await client.send(UpstreamRequest(url: fixture.url("/uploaded/\(name)")))
        #expect(back.head.status == 200)
        let body = await readBody(back)
        expectSameBytes(body.bytes, fixture.big)
    }

    @Test("A small JSON body is POSTed with the caller's headers")
    func postJSON() async throws {
        let fixture = try currentFixture()
        let json = Array(#"{"model":"demo","files":3}"#.utf8)
        let request = UpstreamRequest(
            url: fixture.url("/echo"),
            method: .post,
            headers: [(name: "Content-Type", value: "application/json"), (name: "X-Empty", value: "")],
            uploadData: json
        )
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let response = try await client.send(request)
        #expect(response.head.status == 200)
        let echo = try JSONDecoder().decode(Echo.self, from: Data(try await response.collect(upTo: 100_000)))
        #expect(echo.method == "POST")
        #expect(echo.body == String(decoding: json, as: UTF8.self))
        #expect(echo.headers["content-type"] == "application/json")
        #expect(echo.headers["x-empty"] == "")
        #expect(echo.headers["user-agent"] == "larder/0.1")
        #expect(echo.headers["expect"] == nil)
    }

    @Test("Each method reaches the server as itself", arguments: [UpstreamMethod.get, .put, .post, .delete])
    func methods(method: UpstreamMethod) async throws {
        let fixture = try currentFixture()
        let data: [UInt8]? = method == .put || method == .post ? Array("payload".utf8) : nil
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url("/echo"), method: method, uploadData: data))
        let echo = try JSONDecoder().decode(Echo.self, from: Data(try await response.collect(upTo: 100_000)))
        #expect(echo.method == method.rawValue)
        #expect(echo.body_length == (data?.count ?? 0))
    }

    @Test("Malformed URLs and header fields are rejected before any request", arguments: [
        "ftp://127.0.0.1/x", "not a url", "http://", "file:///etc/passwd",
    ])
    func invalidURL(url: String) async throws {
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        await #expect {
            _ = try await client.send(UpstreamRequest(url: url))
        } throws: { error in
            guard case .invalidURL = error as? UpstreamError else { return false }
            return true
        }
    }

    @Test("Header fields with line breaks are refused")
    func headerInjection() async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let request = UpstreamRequest(url: fixture.url("/echo"), headers: [(name: "X-A", value: "1\r\nX-Injected: 2")])
        await #expect {
            _ = try await client.send(request)
        } throws: { error in
            guard case .transport(43, _) = error as? UpstreamError else { return false }
            return true
        }
    }

    @Test("A missing upload file fails cleanly")
    func missingUploadFile() async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let request = UpstreamRequest(url: fixture.url("/upload/x"), method: .put, uploadFile: "/nonexistent/file")
        await #expect(throws: UpstreamError.self) {
            _ = try await client.send(request)
        }
    }
}
