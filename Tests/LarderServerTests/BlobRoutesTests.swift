import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

@Suite("Blob routes over real sockets")
struct BlobRoutesTests {
    static func digest(_ bytes: [UInt8]) -> String { BlobDigest(hashing: bytes).description }

    @Test("PUT stores a verified blob; GET, HEAD and DELETE follow")
    func putGetHeadDelete() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(700_000)
        let digest = Self.digest(bytes)
        let put = try await fetch(UpstreamRequest(url: server.url("/blobs/\(digest)"), method: .put, uploadData: bytes))
        #expect(put.status == 201)
        #expect(put.header("Docker-Content-Digest") == digest)

        let got = try await get(server.url("/blobs/\(digest)"))
        #expect(got.status == 200)
        #expect(got.body == bytes)
        #expect(got.header("ETag") == "\"\(digest)\"")
        #expect(got.header("X-Larder-Cache") == "hit")
        #expect(got.header("Content-Length") == "700000")

        let head = try await fetch(UpstreamRequest(url: server.url("/blobs/\(digest)"), method: .head))
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "700000")
        #expect(head.body.isEmpty)

        let again = try await fetch(UpstreamRequest(url: server.url("/blobs/\(digest)"), method: .put, uploadData: bytes))
        #expect(again.status == 201, "uploads are idempotent")
        #expect(server.store.statistics.blobCount == 1)

        let deleted = try await fetch(UpstreamRequest(url: server.url("/blobs/\(digest)"), method: .delete))
        #expect(deleted.status == 204)
        let gone = try await get(server.url("/blobs/\(digest)"))
        #expect(gone.status == 404)
        #expect(gone.errorCode == "blob_not_found")
    }

    @Test("PUT with the wrong digest is refused and stores nothing")
    func digestMismatch() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(300_000)
        let wrong = Self.digest(Array("something else".utf8))
        let put = try await fetch(UpstreamRequest(url: server.url("/blobs/\(wrong)"), method: .put, uploadData: bytes))
        #expect(put.status == 400)
        #expect(put.errorCode == "digest_mismatch")
        #expect(server.store.statistics.blobCount == 0)
        #expect(try server.store.list().isEmpty)
    }

    @Test("POST /blobs computes the digest")
    func postComputesDigest() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(10_000)
        let posted = try await fetch(UpstreamRequest(url: server.url("/blobs"), method: .post, uploadData: bytes))
        #expect(posted.status == 201)
        let answer = try JSONDecoder().decode([String: AnyCodableValue].self, from: Data(posted.body))
        #expect(answer["digest"] == .string(Self.digest(bytes)))
    }

    @Test("Range requests: 206 for single, open and suffix ranges, 416 beyond the end or malformed")
    func ranges() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bytes = UpstreamFixture.randomBytes(600_000)
        let digest = Self.digest(bytes)
        _ = try await server.store.put(bytes)
        let url = server.url("/blobs/\(digest)")

        let middle = try await get(url, headers: [("Range", "bytes=262140-262150")])
        #expect(middle.status == 206)
        #expect(middle.body == Array(bytes[262140...262150]))
        #expect(middle.header("Content-Range") == "bytes 262140-262150/600000")

        let open = try await get(url, headers: [("Range", "bytes=599990-")])
        #expect(open.status == 206)
        #expect(open.body == Array(bytes[599990...]))

        let suffix = try await get(url, headers: [("Range", "bytes=-5")])
        #expect(suffix.body == Array(bytes[599995...]))

        let clamped = try await get(url, headers: [("Range", "bytes=599999-99999999")])
        #expect(clamped.status == 206)
        #expect(clamped.body == [bytes[599999]])

        let beyond = try await get(url, headers: [("Range", "bytes=600000-")])
        #expect(beyond.status == 416)
        #expect(beyond.header("Content-Range") == "bytes */600000")
        #expect(beyond.errorCode == "range_not_satisfiable")

        for absurd in ["bytes=99999999999999999999999-", "bytes=5-2", "bytes=abc", "bytes=--1", "bytes=-0"] {
            let answer = try await get(url, headers: [("Range", absurd)])
            #expect(answer.status == 416, "\(absurd)")
        }

        let several = try await get(url, headers: [("Range", "bytes=0-1,5-6")])
        #expect(several.status == 200, "several ranges are answered with the whole entity")
        #expect(several.body == bytes)
    }

    @Test("malformed digests and traversal attempts get 400 or 404 with a JSON body, never a file")
    func malformedDigests() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let bad = [
            "/blobs/sha256:xyz", "/blobs/sha256:" + String(repeating: "A", count: 64), "/blobs/md5:abcd",
            "/blobs/" + String(repeating: "a", count: 64), "/blobs/..%2F..%2Fetc%2Fpasswd", "/blobs/%2e%2e",
            "/blobs/sha256:" + String(repeating: "a", count: 65),
        ]
        for path in bad {
            let answer = try await get(server.url(path))
            #expect(answer.status == 400, "\(path)")
            #expect(answer.errorCode == "invalid_digest", "\(path)")
        }
        let traversal = try await RawExchange.send(port: server.port, Array("GET /blobs/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        #expect(traversal.status == 404 || traversal.status == 400)
        #expect(!traversal.text.contains("root:"))
    }

    @Test("a blob larger than the store answers 507 and damages nothing")
    func insufficientStorage() async throws {
        let server = try await LarderTestServer.start { $0.core.store.maxSize = 1 << 20 }
        defer { Task { await server.stop() } }
        let small = UpstreamFixture.randomBytes(400_000)
        let pinned = try await server.store.put(small, pinned: true)
        let big = UpstreamFixture.randomBytes(900_000)
        let put = try await fetch(UpstreamRequest(url: server.url("/blobs/\(Self.digest(big))"), method: .put, uploadData: big))
        #expect(put.status == 507)
        #expect(put.errorCode == "insufficient_storage")
        let still = try await get(server.url("/blobs/\(pinned.digest)"))
        #expect(still.body == small)
    }

    @Test("pin and unpin through the API; GET /blobs lists records with refs")
    func pins() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let record = try await server.store.put(Array("pin me".utf8))
        let pinned = try await fetch(UpstreamRequest(url: server.url("/blobs/\(record.digest)/pin"), method: .put))
        #expect(pinned.status == 200)
        #expect(try server.store.record(record.digest)?.pinned == true)
        let unpinned = try await fetch(UpstreamRequest(url: server.url("/blobs/\(record.digest)/pin"), method: .delete))
        #expect(unpinned.status == 200)
        #expect(try server.store.record(record.digest)?.pinned == false)
        let list = try await get(server.url("/blobs"))
        #expect(String(decoding: list.body, as: UTF8.self).contains(record.digest.description))
    }
}

/// Just enough of a JSON value to compare fields in tests.
enum AnyCodableValue: Decodable, Equatable {
    case string(String), number(Double), bool(Bool), other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else { self = .other }
    }
}
