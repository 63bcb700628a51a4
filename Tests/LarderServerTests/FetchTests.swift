import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Synchronization
import Testing
import Upstream

@Suite("Pull-through /fetch against a real upstream", .upstreamFixture)
struct FetchTests {
    var upstream: UpstreamFixture { UpstreamFixture.current! }

    @Test("miss, then hit; the bytes are identical and stored under the URL")
    func missThenHit() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let path = unique("/files/big.bin")
        let first = try await get(server.url(server.fetchPath(upstream.url(path))))
        #expect(first.status == 200)
        #expect(first.header("X-Larder-Cache") == "miss")
        #expect(first.body == upstream.big)
        let second = try await get(server.url(server.fetchPath(upstream.url(path))))
        #expect(second.header("X-Larder-Cache") == "hit")
        #expect(second.body == upstream.big)
        #expect(second.header("Docker-Content-Digest") == BlobDigest(hashing: upstream.big).description)
        #expect(try upstream.requests(to: path).count == 1)
    }

    @Test("16 concurrent clients: one upstream GET, everyone streams the fill in progress")
    func singleFlight() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        // The upstream holds its answer until all 16 clients were counted, so every client but the first joins a
        // fill that is still running, whatever the scheduling.
        let gate = UUID().uuidString
        let path = "/gated/big.bin?gate=\(gate)"
        let url = server.url(server.fetchPath(upstream.url(path)))
        let results = try await withThrowingTaskGroup(of: Fetched?.self) { group -> [Fetched] in
            for _ in 0..<16 { group.addTask { try await get(url) } }
            group.addTask {
                let attached = try await eventually(timeout: .seconds(20)) {
                    let counts = try await server.lookups()
                    return counts.miss + counts.coalesced == 16
                }
                let counts = try await server.lookups()
                try upstream.openGate(gate)
                #expect(attached, "not all 16 clients reached the server: \(counts)")
                return nil
            }
            var results: [Fetched] = []
            for try await result in group { if let result { results.append(result) } }
            return results
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0.status == 200 && $0.body == upstream.big })
        let kinds = results.compactMap { $0.header("X-Larder-Cache") }
        #expect(kinds.filter { $0 == "miss" }.count == 1)
        #expect(kinds.filter { $0 == "coalesced" }.count == 15)
        let gets = try upstream.requests(to: path).filter { $0.method == "GET" }
        #expect(gets.count == 1, "the upstream saw \(gets.count) GETs")
        #expect(gets.first?.outcome == "complete")
    }

    @Test("the first byte reaches the client long before the fill completes")
    func streamsWhileFilling() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let path = unique("/slow/big.bin?rate=2500000")
        let started = ContinuousClock.now
        let response = try await testHTTPClient.send(UpstreamRequest(url: server.url(server.fetchPath(upstream.url(path)))))
        var firstByte: Duration?
        var body: [UInt8] = []
        for try await block in response {
            if firstByte == nil { firstByte = ContinuousClock.now - started }
            body += block
        }
        let total = ContinuousClock.now - started
        #expect(body == upstream.big)
        let ttfb = try #require(firstByte)
        #expect(total > .seconds(1.5), "throttled upstream should take ~2 s, took \(total)")
        #expect(ttfb < total / 4, "first byte after \(ttfb) of \(total)")
    }

    @Test("a sha256 that does not match aborts the response and caches nothing")
    func sha256Mismatch() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let path = unique("/files/big.bin")
        let wrong = String(repeating: "ab", count: 32)
        let answer = try await get(server.url(server.fetchPath(upstream.url(path), sha256: wrong)), keepingBodyError: true)
        #expect(answer.error != nil || answer.status >= 400, "the client must see a failure")
        #expect(answer.body.count < upstream.big.count, "the complete content must not be delivered")
        #expect(try await eventually(timeout: .seconds(20)) { try await server.metricIfPresent("larder_fills_failed_total") == 1 && server.services.fills.inFlight == 0 },
                "the fill must end as failed")
        #expect(try server.store.list().isEmpty)
        #expect(try server.store.ref("url:" + upstream.url(path)) == nil)
        let right = BlobDigest(hashing: upstream.big).hex
        let ok = try await get(server.url(server.fetchPath(upstream.url(path), sha256: right)))
        #expect(ok.status == 200)
        #expect(ok.body == upstream.big)
    }

    @Test("upstream 404 is passed on as 404, 500 as 502, nothing cached")
    func upstreamErrors() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let missing = try await get(server.url(server.fetchPath(upstream.url(unique("/status/404")))))
        #expect(missing.status == 404)
        #expect(missing.errorCode == "upstream_not_found")
        let broken = try await get(server.url(server.fetchPath(upstream.url(unique("/status/500")))))
        #expect(broken.status == 502)
        #expect(broken.errorCode == "upstream_status")
        #expect(String(decoding: broken.body, as: UTF8.self).contains("500"))
        #expect(try server.store.list().isEmpty)
    }

    @Test("an upstream that drops mid-body is resumed with Range and the blob is complete")
    func resumesAfterDrop() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let path = unique("/drop-once/big.bin?after=1500000")
        let answer = try await get(server.url(server.fetchPath(upstream.url(path))), keepingBodyError: true)
        #expect(answer.status == 200)
        #expect(answer.body == upstream.big)
        let requests = try upstream.requests(to: path)
        #expect(requests.count == 2)
        #expect(requests.last?.range == "bytes=1500000-")
        #expect(try server.store.record(BlobDigest(hashing: upstream.big)) != nil)
    }

    @Test("an upstream that always drops fails the clients and stores nothing")
    func failsAfterRepeatedDrops() async throws {
        let server = try await LarderTestServer.start { $0.core.upstream.maxAttempts = 2 }
        defer { Task { await server.stop() } }
        let path = unique("/drop-always/big.bin?after=600000")
        let answer = try await get(server.url(server.fetchPath(upstream.url(path))), keepingBodyError: true)
        #expect(answer.error != nil || answer.status >= 500)
        #expect(answer.body.count < upstream.big.count)
        #expect(try await eventually(timeout: .seconds(20)) { try await server.metricIfPresent("larder_fills_failed_total") == 1 && server.services.fills.inFlight == 0 },
                "the fill must end as failed")
        #expect(try server.store.list().isEmpty)
        #expect(server.store.statistics.reservedBytes == 0)
    }

    @Test("hosts outside the allowlist are refused with 403; bad URLs with 400")
    func allowlist() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let forbidden = try await get(server.url(server.fetchPath("http://169.254.169.254/latest/meta-data")))
        #expect(forbidden.status == 403)
        #expect(forbidden.errorCode == "upstream_not_allowed")
        let other = try await get(server.url(server.fetchPath("http://localhost:\(upstream.port)/files/small.bin")))
        #expect(other.status == 403, "localhost is not 127.0.0.1 in the allowlist")
        // A URL that is not absolute http(s) is a bad request (400), whatever its host: 403 is for a well-formed
        // URL whose host is not allowed.
        for bad in ["ftp://127.0.0.1/x", "not a url", "file:///etc/passwd", "http://", "https:///no-host", "127.0.0.1/x"] {
            let answer = try await get(server.url(server.fetchPath(bad)))
            #expect(answer.status == 400, "\(bad)")
            #expect(answer.errorCode == "invalid_url", "\(bad)")
        }
        let missing = try await get(server.url("/fetch"))
        #expect(missing.status == 400)
        #expect(missing.errorCode == "missing_url")
        let disabled = try await LarderTestServer.start { $0.core.allowlist = .init([]) }
        defer { Task { await disabled.stop() } }
        let off = try await get(disabled.url(disabled.fetchPath(upstream.url("/files/small.bin"))))
        #expect(off.status == 403)
        #expect(String(decoding: off.body, as: UTF8.self).contains("--allow-upstream"))
    }

    @Test("redirects are followed to allowed hosts only")
    func redirects() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let followed = try await get(server.url(server.fetchPath(upstream.url(unique("/redirect/small.bin")))))
        #expect(followed.status == 200)
        #expect(followed.body == upstream.small)
        let narrow = try await LarderTestServer.start { $0.core.allowlist = .init(["127.0.0.1:\(upstream.port)"]) }
        defer { Task { await narrow.stop() } }
        let ok = try await get(narrow.url(narrow.fetchPath(upstream.url(unique("/redirect-abs/small.bin")))))
        #expect(ok.status == 200)
    }

    @Test("HEAD on a miss asks the upstream and caches nothing; on a hit answers from the store")
    func head() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let path = unique("/files/small.bin")
        let url = server.url(server.fetchPath(upstream.url(path)))
        let miss = try await fetch(UpstreamRequest(url: url, method: .head))
        #expect(miss.status == 200)
        #expect(miss.header("Content-Length") == "3000")
        #expect(try server.store.list().isEmpty)
        _ = try await get(url)
        let hit = try await fetch(UpstreamRequest(url: url, method: .head))
        #expect(hit.header("X-Larder-Cache") == "hit")
    }

    @Test("a fetch bigger than the store answers 507")
    func tooBig() async throws {
        let server = try await LarderTestServer.start { $0.core.store.maxSize = 1 << 20 }
        defer { Task { await server.stop() } }
        let answer = try await get(server.url(server.fetchPath(upstream.url(unique("/files/big.bin")))))
        #expect(answer.status == 507)
        #expect(answer.errorCode == "insufficient_storage")
    }
}
