import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

/// Hostile and unsupported requests under `/v2/` get 4xx answers in the OCI error format, without reaching the
/// upstream (it is a closed port here: touching it would turn into a 5xx).
@Suite struct OCIBadInputTests {
    static let hex = String(repeating: "a", count: 64)

    @Test func hostileNamesDigestsAndRangesAreClientErrors() async throws {
        let upstream = "127.0.0.1:\(try RawHTTP.closedPort())"
        let server = try await OCILarder.start([upstream: "http://\(upstream)"], defaultRegistry: upstream)
        try await server.use {
            let cases: [(path: String, status: Int, code: String)] = [
                ("/v2/Team/app/manifests/v1", 400, "NAME_INVALID"),
                ("/v2/team/../app/manifests/v1", 400, "NAME_INVALID"),
                ("/v2/team//app/manifests/v1", 400, "NAME_INVALID"),
                ("/v2/team/app./manifests/v1", 400, "NAME_INVALID"),
                ("/v2/\(String(repeating: "a", count: 300))/manifests/v1", 400, "NAME_INVALID"),
                ("/v2/team/app/manifests/-v1", 400, "MANIFEST_INVALID"),
                ("/v2/team/app/manifests/\(String(repeating: "t", count: 129))", 400, "MANIFEST_INVALID"),
                ("/v2/team/app/blobs/sha256:xyz", 400, "DIGEST_INVALID"),
                ("/v2/team/app/blobs/sha256:\(Self.hex.uppercased())", 400, "DIGEST_INVALID"),
                ("/v2/team/app/blobs/md5:\(Self.hex)", 400, "DIGEST_INVALID"),
                ("/v2/team/app/blobs/sha512:\(Self.hex)\(Self.hex)", 400, "DIGEST_INVALID"),
                ("/v2/team/app/manifests/sha256:short", 400, "DIGEST_INVALID"),
                ("/v2/team/app/tags/list", 404, "NAME_UNKNOWN"),
            ]
            for (path, status, code) in cases {
                let answer = try await OCILarder.curl("GET", server.url(path))
                #expect(answer.status == status, "\(path): \(answer.text)")
                #expect(answer.errorCode == code, "\(path): \(answer.text)")
                #expect(answer.header("Content-Type") == "application/json")
            }
            let badNs = try await OCILarder.curl("GET", server.url("/v2/team/app/manifests/v1?ns=a%20b"))
            #expect(badNs.status == 400)
            #expect(badNs.errorCode == "NAME_INVALID")
        }
    }

    @Test func rangesOutsideACachedBlobAre416() async throws {
        let upstream = "127.0.0.1:\(try RawHTTP.closedPort())"
        let server = try await OCILarder.start([upstream: "http://\(upstream)"], defaultRegistry: upstream)
        try await server.use {
            let content = UpstreamFixture.randomBytes(1000)
            let record = try await server.store.put(content)
            let path = "/v2/team/app/blobs/\(record.digest)"
            let whole = try await OCILarder.curl("GET", server.url(path))
            #expect(whole.status == 200)
            #expect(whole.body == content)
            for range in ["bytes=5000-", "bytes=99999999999999999999999-", "bytes=1000-2000"] {
                let answer = try await OCILarder.curl("GET", server.url(path), headers: ["Range: \(range)"])
                #expect(answer.status == 416, "\(range)")
                #expect(answer.errorCode == "RANGE_INVALID", "\(range): \(answer.text)")
            }
        }
    }

    @Test func pushMethodsAreUnsupported() async throws {
        let upstream = "127.0.0.1:\(try RawHTTP.closedPort())"
        let server = try await OCILarder.start([upstream: "http://\(upstream)"], defaultRegistry: upstream)
        try await server.use {
            for (method, path) in [("PUT", "/v2/team/app/manifests/v1"), ("POST", "/v2/team/app/blobs/uploads/"),
                                   ("PATCH", "/v2/team/app/blobs/uploads/abc"), ("DELETE", "/v2/team/app/manifests/sha256:\(Self.hex)"),
                                   ("DELETE", "/v2/team/app/blobs/sha256:\(Self.hex)")] {
                let answer = try await OCILarder.curl(method, server.url(path))
                #expect(answer.status == 405, "\(method) \(path)")
                #expect(answer.errorCode == "UNSUPPORTED", "\(method) \(path): \(answer.text)")
            }
        }
    }
}
