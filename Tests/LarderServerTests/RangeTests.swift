import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

@Suite("Ranges, If-Range, HEAD, empty blobs and refused redirects", .upstreamFixture)
struct RangeTests {
    var upstream: UpstreamFixture { UpstreamFixture.current! }

    @Test("Range on /fetch while the fill runs: 206 with the right bytes, 416 beyond the end, one upstream GET")
    func rangeWhileFilling() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let big = upstream.big
        let gate = UUID().uuidString
        let path = "/gated/big.bin?gate=\(gate)"
        let url = server.url(server.fetchPath(upstream.url(path)))
        // The upstream answers nothing until all four requests joined the fill, so each is served from a fill in
        // progress.
        async let whole = get(url)
        async let middle = get(url, headers: [("Range", "bytes=1000000-1000999")])
        async let tail = get(url, headers: [("Range", "bytes=-10")])
        async let beyond = get(url, headers: [("Range", "bytes=\(big.count)-")])
        let attached = try await eventually(timeout: .seconds(20)) {
            let counts = try await server.lookups()
            return counts.miss + counts.coalesced == 4
        }
        let counts = try await server.lookups()
        try upstream.openGate(gate)
        #expect(attached, "not all four requests reached the server: \(counts)")
        let answers = try await [whole, middle, tail, beyond]
        #expect(counts.miss == 1 && counts.coalesced == 3)

        #expect(answers[0].status == 200)
        #expect(BlobDigest(hashing: answers[0].body) == BlobDigest(hashing: big), "\(answers[0].body.count) bytes")
        #expect(answers[1].status == 206)
        #expect(answers[1].body == Array(big[1_000_000...1_000_999]))
        #expect(answers[1].header("Content-Range") == "bytes 1000000-1000999/\(big.count)")
        #expect(answers[1].header("Content-Length") == "1000")
        #expect(answers[2].status == 206)
        #expect(answers[2].body == Array(big.suffix(10)))
        #expect(answers[2].header("Content-Range") == "bytes \(big.count - 10)-\(big.count - 1)/\(big.count)")
        #expect(answers[3].status == 416)
        #expect(answers[3].errorCode == "range_not_satisfiable")
        #expect(answers[3].header("Content-Range") == "bytes */\(big.count)")

        #expect(try upstream.requests(to: path).filter { $0.method == "GET" }.count == 1)
        #expect(await eventually(timeout: .seconds(20)) { server.store.statistics.leasedBlobs == 0 }, "every response released its lease")
        let again = try await get(url, headers: [("Range", "bytes=5-9")])
        #expect(again.header("X-Larder-Cache") == "hit")
        #expect(again.body == Array(big[5...9]))
    }

    @Test("If-Range: the strong ETag keeps the range; a stale tag, a weak tag or a date gets the whole blob")
    func ifRange() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(600_000)
        let record = try await server.store.put(bytes)
        let url = server.url("/blobs/\(record.digest)")
        let etag = "\"\(record.digest)\""

        let current = try await get(url, headers: [("Range", "bytes=10-19"), ("If-Range", etag)])
        #expect(current.status == 206)
        #expect(current.body == Array(bytes[10...19]))

        let stale = "\"\(BlobDigest(hashing: Array("older content".utf8)))\""
        for validator in [stale, "W/" + etag, "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let answer = try await get(url, headers: [("Range", "bytes=10-19"), ("If-Range", validator)])
            #expect(answer.status == 200, "\(validator)")
            #expect(answer.header("Content-Range") == nil, "\(validator)")
            #expect(BlobDigest(hashing: answer.body) == record.digest, "\(validator): \(answer.body.count) bytes")
        }

        // The same on a /fetch hit, whose ETag is the digest of what was fetched.
        let fetchURL = server.url(server.fetchPath(upstream.url(unique("/files/small.bin"))))
        #expect(try await get(fetchURL).body == upstream.small)
        let hit = try await get(fetchURL, headers: [("Range", "bytes=0-9"), ("If-Range", "\"\(BlobDigest(hashing: upstream.small))\"")])
        #expect(hit.header("X-Larder-Cache") == "hit")
        #expect(hit.status == 206)
        #expect(hit.body == Array(upstream.small[0...9]))
        let changed = try await get(fetchURL, headers: [("Range", "bytes=0-9"), ("If-Range", stale)])
        #expect(changed.status == 200)
        #expect(BlobDigest(hashing: changed.body) == BlobDigest(hashing: upstream.small), "\(changed.body.count) bytes")
    }

    @Test("HEAD with Range answers 206 or 416 with the headers a GET would have, and no body")
    func headWithRange() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(600_000)
        let record = try await server.store.put(bytes)
        let url = server.url("/blobs/\(record.digest)")

        let partial = try await fetch(UpstreamRequest(url: url, method: .head, headers: [("Range", "bytes=100-199")]))
        #expect(partial.status == 206)
        #expect(partial.header("Content-Length") == "100")
        #expect(partial.header("Content-Range") == "bytes 100-199/600000")
        #expect(partial.body.isEmpty)

        let beyond = try await fetch(UpstreamRequest(url: url, method: .head, headers: [("Range", "bytes=600000-")]))
        #expect(beyond.status == 416)
        #expect(beyond.header("Content-Range") == "bytes */600000")

        let fetchURL = server.url(server.fetchPath(upstream.url(unique("/files/small.bin"))))
        _ = try await get(fetchURL)
        let hit = try await fetch(UpstreamRequest(url: fetchURL, method: .head, headers: [("Range", "bytes=-100")]))
        #expect(hit.status == 206)
        #expect(hit.header("X-Larder-Cache") == "hit")
        #expect(hit.header("Content-Length") == "100")
        #expect(hit.header("Content-Range") == "bytes 2900-2999/3000")
        #expect(await eventually(timeout: .seconds(20)) { server.store.statistics.leasedBlobs == 0 }, "HEAD must release what it opened")
    }

    @Test("empty blobs: upload, GET, HEAD, Range and /fetch all work with zero bytes")
    func emptyBlobs() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let digest = BlobDigest(hashing: [])
        let url = server.url("/blobs/\(digest)")
        let put = try await fetch(UpstreamRequest(url: url, method: .put, uploadData: []))
        #expect(put.status == 201)
        #expect(try server.store.record(digest)?.size == 0)

        let got = try await get(url)
        #expect(got.status == 200)
        #expect(got.body.isEmpty)
        #expect(got.header("Content-Length") == "0")
        #expect(got.header("Docker-Content-Digest") == digest.description)

        let head = try await fetch(UpstreamRequest(url: url, method: .head))
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "0")

        let ranged = try await get(url, headers: [("Range", "bytes=0-")])
        #expect(ranged.status == 416)
        #expect(ranged.header("Content-Range") == "bytes */0")

        let fetchURL = server.url(server.fetchPath(upstream.url(unique("/files/empty.bin"))))
        let miss = try await get(fetchURL)
        #expect(miss.status == 200)
        #expect(miss.body.isEmpty)
        #expect(miss.header("X-Larder-Cache") == "miss")
        let hit = try await get(fetchURL)
        #expect(hit.status == 200)
        #expect(hit.header("X-Larder-Cache") == "hit", "the empty fill is published before its response ends")
        #expect(hit.header("Content-Length") == "0")
    }

    @Test("/fetch refuses a redirect to a host outside the allowlist, for GET and HEAD, and stores nothing")
    func redirectToDisallowedHost() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        // Same fixture, other host name: "localhost" is not "127.0.0.1" in the allowlist.
        let target = unique("/files/small.bin")
        let redirect = "/redirect-to?url=" + (upstream.url(target).replacingOccurrences(of: "127.0.0.1", with: "localhost")
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let url = server.url(server.fetchPath(upstream.url(redirect)))

        let refused = try await get(url)
        #expect(refused.status == 403)
        #expect(refused.errorCode == "redirect_not_allowed")
        #expect(String(decoding: refused.body, as: UTF8.self).contains("localhost"))
        let head = try await fetch(UpstreamRequest(url: url, method: .head))
        #expect(head.status == 403)

        #expect(try upstream.requests(to: redirect).count == 2, "the upstream saw the GET and the HEAD")
        #expect(try upstream.requests(to: target).isEmpty, "the disallowed target was never contacted")
        #expect(try server.store.list().isEmpty)
        #expect(try server.store.ref("url:" + upstream.url(redirect)) == nil)
    }
}
