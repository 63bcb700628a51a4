import Foundation
import Synchronization
import Testing
import Upstream

@Suite("Redirects", .upstreamFixture, .timeLimit(.minutes(1)))
struct RedirectTests {
    @Test("Relative and absolute redirects are followed", arguments: ["/redirect/small.bin", "/redirect-abs/small.bin"])
    func followed(path: String) async throws {
        let fixture = try currentFixture()
        let seen = Mutex<[String]>([])
        let request = UpstreamRequest(url: fixture.url(path), redirectPolicy: { target in
            seen.withLock { $0.append(target) }
            return true
        })
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let response = try await client.send(request)
        #expect(response.head.status == 200)
        #expect(response.head.effectiveURL == fixture.url("/files/small.bin"))
        #expect(try await response.collect(upTo: 10_000) == fixture.small)
        #expect(seen.withLock { $0 } == [fixture.url("/files/small.bin")])
    }

    @Test("A redirect loop fails with tooManyRedirects after maxRedirects hops")
    func loop() async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(maxRedirects: 3), logger: quietLogger)
        let before = try fixture.requests(to: "/redirect-loop").count
        await #expect {
            _ = try await client.send(UpstreamRequest(url: fixture.url("/redirect-loop")))
        } throws: { error in
            guard case .tooManyRedirects = error as? UpstreamError else { return false }
            return true
        }
        // The original request plus three followed hops; the fourth redirect is refused.
        #expect(try fixture.requests(to: "/redirect-loop").count - before == 4)
    }

    @Test("A redirect rejected by the policy fails with redirectNotAllowed and is not requested")
    func policyRejects() async throws {
        let fixture = try currentFixture()
        let targetPath = unique("/files/small.bin")
        let target = fixture.url(targetPath)
        let encoded = try #require(target.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let request = UpstreamRequest(url: fixture.url("/redirect-to?url=\(encoded)"), redirectPolicy: { _ in false })
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        await #expect {
            _ = try await client.send(request)
        } throws: { error in
            guard case .redirectNotAllowed(let url) = error as? UpstreamError else { return false }
            return url == target
        }
        #expect(try fixture.requests(to: targetPath).isEmpty)
    }

    @Test("Redirects to other schemes are refused")
    func otherScheme() async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        await #expect {
            _ = try await client.send(UpstreamRequest(url: fixture.url("/redirect-to?url=file:///etc/passwd")))
        } throws: { error in
            guard case .redirectNotAllowed(let url) = error as? UpstreamError else { return false }
            return url == "file:///etc/passwd"
        }
    }

    @Test("Credentials are kept on same-origin redirects and dropped on cross-origin ones")
    func credentialsAcrossOrigins() async throws {
        let fixture = try currentFixture()
        let other = try await UpstreamFixture.start(bigSize: 0)
        defer { other.stop() }
        let headers: [(name: String, value: String)] = [
            (name: "Authorization", value: "Bearer secret"),
            (name: "X-Larder-Test", value: "kept"),
        ]
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        for (target, keepsToken) in [(fixture.url("/echo"), true), (other.url("/echo"), false)] {
            let request = UpstreamRequest(url: fixture.url("/redirect-to?code=307&url=\(target)"), headers: headers)
            let response = try await client.send(request)
            #expect(response.head.status == 200)
            let echo = try JSONDecoder().decode(Echo.self, from: Data(try await response.collect(upTo: 100_000)))
            #expect(echo.headers["x-larder-test"] == "kept")
            #expect((echo.headers["authorization"] == "Bearer secret") == keepsToken, "target \(target)")
        }
    }
}

/// The JSON the fixture's `/echo` answers with.
struct Echo: Decodable {
    var method: String
    var headers: [String: String]
    var body_sha256: String
    var body_length: Int
    var body: String?
}
