import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

/// A request sent on a socket whose client then reads nothing (or very little), so the server's writes back up.
final class StalledClient: @unchecked Sendable {
    // `@unchecked Sendable` invariant: `connection` is set in `init`; the test that owns this closes it once.
    let connection: RawConnection

    /// Connects and sends `GET path`, then reads nothing.
    init(port: Int, path: String) throws {
        connection = try RawConnection(port: port)
        try connection.write(Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    }

    func close() { connection.close() }
}

extension FaultSuite {
    @Suite("Graceful shutdown and resource bounds")
    struct ShutdownAndLimits {
        @Test("SIGTERM: a transfer that can finish finishes, a stalled one is aborted at the deadline, the store reopens clean")
        func sigterm() async throws {
            let tally = FaultTally("SIGTERM with transfers in flight")
            defer { tally.finish() }
            let upstream = try await UpstreamFixture.start(bigSize: 4 << 20)
            defer { upstream.stop() }
            let directory = try FaultDirectory("sigterm")
            defer { directory.remove() }
            let arguments = ["--allow-upstream", "127.0.0.1", "--shutdown-timeout", "3", "--client-timeout", "60"]
            let server = try await directory.serve(arguments)
            defer { server.kill() }
            let large = seededBytes(32 << 20, seed: 900)
            let digest = BlobDigest(hashing: large)
            tally.request()
            try #require(await put("\(server.url)/blobs/\(digest)", large).status == 201)
            // A client that reads nothing of a 32 MiB response: it would hold the server forever without a deadline.
            let stalled = try StalledClient(port: server.port, path: "/blobs/\(digest)")
            defer { stalled.close() }
            // A fill that takes about 1.5 s: well inside the deadline, so it must complete.
            let source = upstream.url("/slow/big.bin?rate=3000000")
            let inFlight = Task { await get("\(server.url)/fetch?url=\(queryValue(source))&sha256=\(BlobDigest(hashing: upstream.big).hex)") }
            #expect(await eventually(timeout: .seconds(20)) { (await server.metric("larder_upstream_bytes_total") ?? 0) > 0 })
            #expect(await eventually(timeout: .seconds(20)) { (await server.metric("larder_body_streams") ?? 0) >= 2 })
            let signalled = ContinuousClock.now
            server.child.signal(SIGTERM)
            tally.fault()
            let exited = await server.waitForExit(within: .seconds(20))
            let took = ContinuousClock.now - signalled
            #expect(exited, "larder serve still runs 20 s after SIGTERM")
            #expect(took < .seconds(10), "shutdown took \(took) with --shutdown-timeout 3")
            #expect(server.child.status == 0, "exit status \(server.child.status): \(server.log.suffix(500))")
            let finished = await inFlight.value
            expectCorrect(finished, is: upstream.big, tally: tally, "the in-flight fill: \(finished.status) \(finished.error ?? "")")
            // After the exit nothing listens any more.
            #expect(await get(server.url + "/healthz").status == 0)

            #expect(try await directory.verifyOffline() == 2)
            let restarted = try await directory.serve(arguments)
            defer { restarted.kill() }
            expectCorrect(await get("\(restarted.url)/blobs/\(digest)"), is: large, tally: tally)
        }

        @Test("a client that stops reading loses its connection after --client-timeout, freeing its --max-streams slot")
        func stalledReaderIsClosed() async throws {
            let tally = FaultTally("client stops reading")
            defer { tally.finish() }
            let server = try await LarderServeProcess.start(extraArguments: ["--max-streams", "1", "--client-timeout", "2"])
            defer { server.kill() }
            let large = seededBytes(16 << 20, seed: 901)
            let digest = BlobDigest(hashing: large)
            tally.request()
            try #require(await put("\(server.url)/blobs/\(digest)", large).status == 201)
            let stalled = try StalledClient(port: server.port, path: "/blobs/\(digest)")
            defer { stalled.close() }
            tally.fault()
            #expect(await eventually(timeout: .seconds(10)) { (await server.metric("larder_body_streams") ?? 0) == 1 })
            let refused = await get("\(server.url)/blobs/\(digest)")
            tally.request()
            #expect(refused.status == 503, "the one slot is taken: \(refused.status)")
            // Within the timeout plus scheduling slack the stalled connection is closed and the slot is free again.
            let freed = await eventually(timeout: .seconds(20), interval: .milliseconds(200)) {
                (await server.metric("larder_body_streams") ?? 1) == 0
            }
            #expect(freed, "the stalled reader still holds its slot")
            expectCorrect(await get("\(server.url)/blobs/\(digest)"), is: large, tally: tally)
        }

        @Test("a slow but steady reader (10 KB/s) is not disconnected by --client-timeout")
        func slowReaderIsKept() async throws {
            let tally = FaultTally("10 KB/s reader with --client-timeout 2")
            defer { tally.finish() }
            let server = try await LarderServeProcess.start(extraArguments: ["--client-timeout", "2"])
            defer { server.kill() }
            let large = seededBytes(8 << 20, seed: 903)
            let digest = BlobDigest(hashing: large)
            tally.request()
            try #require(await put("\(server.url)/blobs/\(digest)", large).status == 201)
            let reader = ThrottledReader(port: server.port, path: "/blobs/\(digest)", bytesPerSecond: 10_000)
            tally.request()
            // Four times the timeout: a reader closed for being slow would be gone by then.
            let closed = await eventually(timeout: .seconds(8), interval: .milliseconds(200)) { reader.closedByServer }
            let read = reader.bytes
            await reader.stop()
            #expect(!closed, "the server closed a reader that read \(read.count) bytes in 8 s")
            #expect(read.count >= 40_000, "the reader got only \(read.count) bytes in 8 s")
            if let split = read.firstRange(of: Array("\r\n\r\n".utf8)) {
                let body = Array(read[split.upperBound...])
                let correct = Array(large.prefix(body.count)) == body
                #expect(correct, "the slow reader got wrong bytes")
                if correct { tally.verified(body.count) } else { tally.aborted(body.count) }
            }
        }

        @Test("a client that stops sending its request is disconnected after --client-timeout")
        func stalledSenderIsClosed() async throws {
            let tally = FaultTally("client stops sending")
            defer { tally.finish() }
            let server = try await LarderServeProcess.start(extraArguments: ["--client-timeout", "2"])
            defer { server.kill() }
            let bytes = seededBytes(1 << 20, seed: 902)
            let digest = BlobDigest(hashing: bytes)
            for request in ["GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaa",
                            "PUT /blobs/\(digest) HTTP/1.1\r\nHost: x\r\nContent-Length: \(bytes.count)\r\n\r\n" + String(repeating: "a", count: 1000)] {
                tally.fault()
                tally.request()
                let started = ContinuousClock.now
                // The exchange ends when the server closes; without a timeout it would end only after 30 quiet seconds.
                let answer = try await RawExchange.send(port: server.port, Array(request.utf8), quietSeconds: 30)
                let took = ContinuousClock.now - started
                #expect(took < .seconds(15), "the stalled request held its connection \(took): \(answer.text.prefix(100))")
            }
            #expect(await eventually(timeout: .seconds(10)) { await server.storeStatistic("reservedBytes") == 0 })
            tally.request()
            #expect(await get("\(server.url)/blobs/\(digest)").status == 404)
            #expect(await server.isHealthy())
        }

        @Test("past --max-connections a request gets 503 with a JSON body and its connection closes; a freed slot serves again")
        func connectionLimit() async throws {
            let tally = FaultTally("--max-connections 2")
            defer { tally.finish() }
            let server = try await LarderServeProcess.start(extraArguments: ["--max-connections", "2"])
            defer { server.kill() }
            let held = try (0..<2).map { _ in try RawConnection(port: server.port) }
            tally.fault()
            tally.request()
            let refused = try await RawExchange.send(port: server.port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8), quietSeconds: 10)
            #expect(refused.status == 503, "\(refused.text.prefix(300))")
            #expect(refused.text.contains("too_many_connections"))
            #expect(refused.text.lowercased().contains("retry-after: 1"))
            held[0].close()
            // Once the server noticed the close, a new connection is served.
            let served = await eventually(timeout: .seconds(10), interval: .milliseconds(100)) {
                tally.request()
                return await server.isHealthy()
            }
            #expect(served, "a freed connection slot is not reused")
            held[1].close()
        }

        @Test("past --max-fills a new miss gets 503 with Retry-After; joining a running fill still works")
        func fillLimit() async throws {
            let tally = FaultTally("--max-fills 1")
            defer { tally.finish() }
            let upstream = try await UpstreamFixture.start(bigSize: 2 << 20)
            defer { upstream.stop() }
            let server = try await LarderServeProcess.start(extraArguments: ["--allow-upstream", "127.0.0.1", "--max-fills", "1"])
            defer { server.kill() }
            let slow = "\(server.url)/fetch?url=\(queryValue(upstream.url("/slow/big.bin?rate=1000000")))"
            let first = Task { await get(slow) }
            #expect(await eventually(timeout: .seconds(20)) { (await server.metric("larder_fills_in_flight") ?? 0) == 1 })
            let other = await get("\(server.url)/fetch?url=\(queryValue(upstream.url("/files/small.bin")))")
            tally.fault()
            tally.request()
            #expect(other.status == 503, "\(other.status) \(other.text.prefix(200))")
            #expect(other.errorCode == "too_many_fills")
            #expect(other.header("Retry-After") != nil)
            let joined = await get(slow)
            expectCorrect(joined, is: upstream.big, tally: tally, "joining: \(joined.status)")
            expectCorrect(await first.value, is: upstream.big, tally: tally)
            #expect(await eventually(timeout: .seconds(10)) { (await server.metric("larder_fills_in_flight") ?? 1) == 0 })
            expectCorrect(await get("\(server.url)/fetch?url=\(queryValue(upstream.url("/files/small.bin")))"), is: upstream.small, tally: tally)
        }
    }
}
