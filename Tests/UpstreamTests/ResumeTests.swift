import Foundation
import Testing
import Upstream

@Suite("Resumption of dropped bodies", .upstreamFixture, .timeLimit(.minutes(1)))
struct ResumeTests {
    @Test("A dropped body resumes with Range and If-Range, seamlessly")
    func dropOnceResumes() async throws {
        let fixture = try currentFixture()
        let path = unique("/drop-once/big.bin?after=1000000")
        let client = UpstreamClient(configuration: testConfiguration(blockSize: 300_000), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url(path)))
        #expect(response.head.status == 200)
        #expect(response.head.contentLength == Int64(fixture.big.count))
        let body = await readBody(response)
        #expect(body.error == nil)
        expectSameBytes(body.bytes, fixture.big)
        expectExactBlocks(body.blockSizes, blockSize: 300_000, total: fixture.big.count)
        let requests = try fixture.requests(to: path)
        #expect(requests.map(\.range) == [nil, "bytes=1000000-"])
        #expect(requests.map(\.status) == [200, 206])
        #expect(requests.last?.ifRange == response.head.header("ETag"))
        #expect(requests.first?.outcome == "dropped")
    }

    @Test("Without range support the body is re-downloaded and the delivered prefix discarded")
    func dropOnceNoRange() async throws {
        let fixture = try currentFixture()
        let path = unique("/drop-once-norange/big.bin?after=1234567")
        let client = UpstreamClient(configuration: testConfiguration(blockSize: 100_000), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url(path)))
        let body = await readBody(response)
        #expect(body.error == nil)
        expectSameBytes(body.bytes, fixture.big)
        expectExactBlocks(body.blockSizes, blockSize: 100_000, total: fixture.big.count)
        let requests = try fixture.requests(to: path)
        #expect(requests.map(\.range) == [nil, "bytes=1234567-"])
        #expect(requests.map(\.status) == [200, 200])
    }

    @Test("A body that keeps dropping throws once attempts run out, after delivering a consistent prefix")
    func dropAlwaysThrows() async throws {
        let fixture = try currentFixture()
        let path = unique("/drop-always/big.bin?after=500000")
        let client = UpstreamClient(configuration: testConfiguration(blockSize: 100_000, maxAttempts: 3), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url(path)))
        #expect(response.head.status == 200)
        let body = await readBody(response)
        guard case .transport(let code, let message) = body.error as? UpstreamError else {
            Issue.record("expected a transport error, got \(String(describing: body.error))")
            return
        }
        #expect(code == 18)  // CURLE_PARTIAL_FILE
        #expect(message.contains("after 3 attempts"))
        expectSameBytes(body.bytes, Array(fixture.big[0..<1_500_000]))
        let requests = try fixture.requests(to: path)
        #expect(requests.map(\.range) == [nil, "bytes=500000-", "bytes=1000000-"])
    }

    @Test("A caller's own Range is honoured and reported with the full entity length")
    func callerRange() async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let request = UpstreamRequest(url: fixture.url("/files/big.bin"), headers: [(name: "Range", value: "bytes=10-19")])
        let response = try await client.send(request)
        #expect(response.head.status == 206)
        #expect(response.head.contentLength == Int64(fixture.big.count))
        #expect(try await response.collect(upTo: 100) == Array(fixture.big[10...19]))
    }
}
