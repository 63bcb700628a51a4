import Foundation
import Logging
import Testing
import Upstream

@Suite("Retries and timeouts", .upstreamFixture, .timeLimit(.minutes(1)))
struct RetryTests {
    @Test("Retryable statuses are retried before the body, then succeed", arguments: [503, 502, 504, 429])
    func flakyThenSuccess(code: Int) async throws {
        let fixture = try currentFixture()
        let path = unique("/flaky/\(code)/2/small.bin")
        let recorder = LogRecorder()
        let client = UpstreamClient(configuration: testConfiguration(maxAttempts: 4), logger: recorder.logger())
        let response = try await client.send(UpstreamRequest(url: fixture.url(path)))
        #expect(response.head.status == 200)
        #expect(try await response.collect(upTo: 10_000) == fixture.small)
        // The fixture records a request's status once it has finished writing it, just after the client read it.
        #expect(try await eventually(timeout: .seconds(2)) { try fixture.requests(to: path).map(\.status) == [code, code, 200] })

        // Logging: one info line for the completed transfer, a debug line per retry.
        #expect(await eventually(timeout: .seconds(1)) { recorder.records.contains { $0.level == .info } })
        let infos = recorder.records.filter { $0.level == .info }
        #expect(infos.count == 1)
        #expect(infos.first?.metadata["status"] == "200")
        #expect(infos.first?.metadata["attempts"] == "3")
        #expect(infos.first?.metadata["bytes"] == "\(fixture.small.count)")
        #expect(infos.first?.metadata["url"]?.contains("/flaky/") == true)
        #expect(infos.first?.metadata["seconds"] != nil)
        #expect(recorder.records.filter { $0.level == .debug && $0.message.contains("retrying") }.count == 2)
    }

    @Test("When attempts run out the retryable status itself is returned")
    func flakyExhausted() async throws {
        let fixture = try currentFixture()
        let path = unique("/flaky/503/5/small.bin")
        let client = UpstreamClient(configuration: testConfiguration(maxAttempts: 3), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url(path)))
        #expect(response.head.status == 503)
        #expect(String(decoding: try await response.collect(upTo: 100), as: UTF8.self) == "upstream says 503")
        #expect(try fixture.requests(to: path).count == 3)
    }

    @Test("A closed port fails with connectFailed after every attempt, backing off in between")
    func connectFailure() async throws {
        let port = try RawHTTP.closedPort()
        let configuration = testConfiguration(maxAttempts: 3, initialBackoff: .milliseconds(150))
        let client = UpstreamClient(configuration: configuration, logger: quietLogger)
        let started = ContinuousClock.now
        await #expect {
            _ = try await client.send(UpstreamRequest(url: "http://127.0.0.1:\(port)/files/big.bin"))
        } throws: { error in
            guard case .connectFailed(let message) = error as? UpstreamError else { return false }
            return message.contains("after 3 attempts")
        }
        // Two backoffs: 150 ms, then 300 ms.
        #expect(ContinuousClock.now - started >= .milliseconds(450))
    }

    @Test("Cancelling the sending task stops retrying at once")
    func cancelWhileRetrying() async throws {
        let port = try RawHTTP.closedPort()
        let configuration = testConfiguration(maxAttempts: 10, initialBackoff: .seconds(2))
        let client = UpstreamClient(configuration: configuration, logger: quietLogger)
        let started = ContinuousClock.now
        let task = Task {
            try await client.send(UpstreamRequest(url: "http://127.0.0.1:\(port)/x"))
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect {
            _ = try await task.value
        } throws: { error in
            guard case .cancelled = error as? UpstreamError else { return false }
            return true
        }
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test("A stalled body times out, is resumed once, then fails with timedOut")
    func stallTimeout() async throws {
        let fixture = try currentFixture()
        let path = unique("/stall/big.bin?after=100000")
        let configuration = testConfiguration(blockSize: 50_000, maxAttempts: 2, stallTimeout: .seconds(2))
        let client = UpstreamClient(configuration: configuration, logger: quietLogger)
        let started = ContinuousClock.now
        let response = try await client.send(UpstreamRequest(url: fixture.url(path)))
        #expect(response.head.status == 200)
        let body = await readBody(response)
        let elapsed = ContinuousClock.now - started
        guard case .timedOut(let message) = body.error as? UpstreamError else {
            Issue.record("expected timedOut, got \(String(describing: body.error))")
            return
        }
        #expect(message.contains("after 2 attempts"))
        expectSameBytes(body.bytes, Array(fixture.big[0..<200_000]))
        #expect(elapsed >= .seconds(4) && elapsed < .seconds(10))
        let requests = try fixture.requests(to: path)
        #expect(requests.map(\.range) == [nil, "bytes=100000-"])
    }
}
