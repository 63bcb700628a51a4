import Foundation
import Testing
import Upstream

@Suite("Body streaming", .upstreamFixture, .timeLimit(.minutes(1)))
struct BodyStreamingTests {
    @Test("GET round trip is byte-identical, in blocks of exactly blockSize", arguments: [1 << 20, 300_000, 4096])
    func roundTrip(blockSize: Int) async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(blockSize: blockSize), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url("/files/big.bin")))
        #expect(response.head.status == 200)
        #expect(response.head.contentLength == Int64(fixture.big.count))
        #expect(response.head.effectiveURL == fixture.url("/files/big.bin"))
        #expect(response.head.header("content-type") == "application/octet-stream")
        #expect(response.head.header("ETAG")?.hasPrefix("\"") == true)
        let body = await readBody(response)
        #expect(body.error == nil)
        expectSameBytes(body.bytes, fixture.big)
        expectExactBlocks(body.blockSizes, blockSize: blockSize, total: fixture.big.count)
    }

    @Test("Small bodies are collected; collect(upTo:) refuses larger ones")
    func collectSmall() async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url("/files/small.bin")))
        #expect(try await response.collect(upTo: 10_000) == fixture.small)

        let tooBig = try await client.send(UpstreamRequest(url: fixture.url("/files/small.bin")))
        await #expect {
            _ = try await tooBig.collect(upTo: 100)
        } throws: { error in
            guard case .transport(63, _) = error as? UpstreamError else { return false }
            return true
        }
    }

    @Test("An empty entity yields no blocks")
    func emptyBody() async throws {
        let fixture = try currentFixture()
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url("/files/empty.bin")))
        #expect(response.head.status == 200)
        #expect(response.head.contentLength == 0)
        let body = await readBody(response)
        #expect(body.error == nil)
        #expect(body.blockSizes.isEmpty)
    }

    @Test("HEAD returns the head and no body")
    func headRequest() async throws {
        let fixture = try currentFixture()
        let path = unique("/files/big.bin")
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url(path), method: .head))
        #expect(response.head.status == 200)
        #expect(response.head.contentLength == Int64(fixture.big.count))
        #expect(response.head.header("Accept-Ranges") == "bytes")
        #expect(try await response.collect(upTo: 0) == [])
        #expect(try fixture.requests(to: path).map(\.method) == ["HEAD"])
    }

    @Test("Non-retryable statuses are returned as-is with their body", arguments: [404, 500, 403])
    func statusReturned(code: Int) async throws {
        let fixture = try currentFixture()
        let path = unique("/status/\(code)")
        let client = UpstreamClient(configuration: testConfiguration(), logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url(path)))
        #expect(response.head.status == code)
        let text = String(decoding: try await response.collect(upTo: 1000), as: UTF8.self)
        #expect(text == "upstream says \(code)")
        #expect(try fixture.requests(to: path).count == 1)
    }

    @Test("A slow consumer bounds the queued blocks (back-pressure)")
    func backPressure() async throws {
        let fixture = try currentFixture()
        let maxBuffered = 3
        let configuration = testConfiguration(blockSize: 64 * 1024, maxBufferedBlocks: maxBuffered)
        let client = UpstreamClient(configuration: configuration, logger: quietLogger)
        let response = try await client.send(UpstreamRequest(url: fixture.url("/files/big.bin")))
        var iterator = response.makeAsyncIterator()
        var bytes = try #require(try await iterator.next())
        // The consumer stops after the first block: the transfer thread fills the queue up to the bound and has to
        // wait there (80 blocks would fit in memory many times over if it did not).
        #expect(await eventually(timeout: .seconds(20)) { response.peakBufferedBlocks >= maxBuffered },
                "the queue never filled: peak \(response.peakBufferedBlocks)")
        while let block = try await iterator.next() { bytes += block }
        expectSameBytes(bytes, fixture.big)
        #expect(response.peakBufferedBlocks == maxBuffered, "the queue held \(response.peakBufferedBlocks) blocks")
    }

    enum Abort: String, CaseIterable, Sendable {
        case cancel, deinitialise, abandonIteration
    }

    @Test("Cancel, deinit or an abandoned iteration end the transfer promptly", arguments: Abort.allCases)
    func abortMidTransfer(how: Abort) async throws {
        let fixture = try currentFixture()
        // 5 MiB at 400 kB/s would take 13 s: within 2 s only an abort can end it.
        let path = unique("/slow/big.bin?rate=400000")
        let client = UpstreamClient(configuration: testConfiguration(blockSize: 16 * 1024), logger: quietLogger)
        var response: UpstreamResponse? = try await client.send(UpstreamRequest(url: fixture.url(path)))
        switch how {
        case .cancel:
            let started = try #require(response)
            var iterator = started.makeAsyncIterator()
            #expect(try await iterator.next()?.count == 16 * 1024)
            started.cancel()
            await #expect {
                _ = try await iterator.next()
            } throws: { error in
                guard case .cancelled = error as? UpstreamError else { return false }
                return true
            }
            #expect(await eventually(timeout: .seconds(2)) { !started.isTransferRunning })
        case .deinitialise:
            #expect(try await eventually(timeout: .seconds(10)) {
                try fixture.requests(to: path).first?.outcome == "in-progress"
            })
            response = nil
        case .abandonIteration:
            let started = try #require(response)
            #expect(try await Self.firstBlockSize(of: started) == 16 * 1024)
        }
        #expect(try await eventually(timeout: .seconds(2)) {
            try fixture.requests(to: path).first?.outcome == "aborted"
        })
        withExtendedLifetime(response) {}
    }

    /// Reads one block with an iterator that is dropped on return.
    private static func firstBlockSize(of response: UpstreamResponse) async throws -> Int? {
        var iterator = response.makeAsyncIterator()
        return try await iterator.next()?.count
    }
}
