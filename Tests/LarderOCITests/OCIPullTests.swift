import Foundation
import LarderAPI
import LarderCore
import LarderStore
import LarderTestSupport
import Testing

/// Pulls through Larder from a real docker-registry: skopeo end to end, and containerd's `?ns=` requests with curl.
@Suite(.serialized) struct OCIPullTests {
    /// A registry holding `team/app:v1` (three layers), its layout directory and the image's summary.
    static func upstreamWithImage(auth: RegistryFixture.Auth = .none, creds: String? = nil, name: String = "team/app",
                                  layers: Int = 3) async throws -> (RegistryFixture, OCITools.Image) {
        let registry = try await RegistryFixture.start(auth: auth)
        do {
            let layout = OCITools.temporary("layout")
            defer { try? FileManager.default.removeItem(atPath: layout) }
            let image = try await OCITools.makeImage(in: layout, tag: "v1", layers: layers)
            try await OCITools.push(layout: layout, tag: "v1", to: registry.host, name: name, creds: creds)
            return (registry, image)
        } catch {
            registry.remove()
            throw error
        }
    }

    @Test func skopeoPullsThroughLarderAndTheSecondPullIsServedFromTheStore() async throws {
        let (registry, image) = try await Self.upstreamWithImage()
        defer { registry.remove() }
        let platform = try #require(image.platforms["linux/amd64"])
        let server = try await OCILarder.start([registry.host: registry.url], defaultRegistry: registry.host)
        try await server.use {
            let first = OCITools.temporary("pull")
            defer { try? FileManager.default.removeItem(atPath: first) }
            try await OCITools.skopeo(["copy", "--src-tls-verify=false", "docker://127.0.0.1:\(server.port)/team/app:v1", "oci:\(first):v1"])
            let expected = Set(platform.layers + [platform.config, platform.manifest])
            #expect(try OCITools.blobs(in: first) == expected)
            let blobGets = registry.count("GET", "/v2/team/app/blobs/")
            #expect(blobGets == platform.layers.count + 1, "one upstream GET per layer and config: \(registry.accessLog)")

            let second = OCITools.temporary("pull")
            defer { try? FileManager.default.removeItem(atPath: second) }
            try await OCITools.skopeo(["copy", "--src-tls-verify=false", "docker://127.0.0.1:\(server.port)/team/app:v1", "oci:\(second):v1"])
            #expect(try OCITools.blobs(in: second) == expected)
            #expect(registry.count("GET", "/v2/team/app/blobs/") == blobGets, "the second pull asked the upstream for blobs")
            let hits = try await server.metric(#"larder_oci_requests_total{registry="\#(registry.host)",kind="blob",result="hit"}"#)
            #expect(hits >= Double(platform.layers.count + 1))
            let upstreamBytes = try await server.metric(#"larder_oci_upstream_bytes_total{registry="\#(registry.host)"}"#)
            #expect(upstreamBytes > Double(platform.layers.count * 200_000))
        }
    }

    @Test func containerdRequestsWithNsAreAnsweredLikeARegistry() async throws {
        let (registry, image) = try await Self.upstreamWithImage()
        defer { registry.remove() }
        let platform = try #require(image.platforms["linux/amd64"])
        // No default registry: only `ns` selects the upstream.
        let server = try await OCILarder.start([registry.host: registry.url])
        try await server.use {
            let base = try await OCILarder.containerd(server, "/v2/", ns: registry.host)
            #expect(base.status == 200)
            #expect(base.header("Docker-Distribution-API-Version") == "registry/2.0")

            let head = try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: registry.host, method: "HEAD")
            #expect(head.status == 200)
            #expect(head.header("Docker-Content-Digest") == image.digest)
            #expect(head.header("Content-Type") == "application/vnd.oci.image.manifest.v1+json")

            let manifest = try await OCILarder.containerd(server, "/v2/team/app/manifests/\(image.digest)", ns: registry.host)
            #expect(manifest.status == 200)
            #expect(BlobDigest(hashing: manifest.body).description == image.digest)
            #expect(manifest.header("Content-Length") == String(manifest.body.count))
            #expect(manifest.header("ETag") == "\"\(image.digest)\"")

            let layer = platform.layers[0]
            let blob = try await OCILarder.containerd(server, "/v2/team/app/blobs/\(layer)", ns: registry.host)
            #expect(blob.status == 200)
            #expect(BlobDigest(hashing: blob.body).description == layer)
            #expect(blob.header("Docker-Content-Digest") == layer)

            // Cached now: HEAD and a range come from the store.
            let before = registry.accessLog.count
            let cachedHead = try await OCILarder.containerd(server, "/v2/team/app/blobs/\(layer)", ns: registry.host, method: "HEAD")
            #expect(cachedHead.status == 200)
            #expect(cachedHead.header("Content-Length") == String(blob.body.count))
            let range = try await OCILarder.containerd(server, "/v2/team/app/blobs/\(layer)", ns: registry.host, headers: ["Range: bytes=100-199"])
            #expect(range.status == 206)
            #expect(range.body == Array(blob.body[100..<200]))
            #expect(registry.accessLog.count == before, "a cached blob touched the upstream")

            // An unknown registry, or none at all, is a fast NAME_UNKNOWN so containerd falls back at once.
            let started = ContinuousClock.now
            let unknown = try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: "registry.example:5000")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "NAME_UNKNOWN")
            #expect(ContinuousClock.now - started < .seconds(5))
            let none = try await OCILarder.curl("GET", server.url("/v2/team/app/manifests/v1"))
            #expect(none.status == 404)
            #expect(none.errorCode == "NAME_UNKNOWN")

            // Unknown manifests and blobs upstream.
            let missingTag = try await OCILarder.containerd(server, "/v2/team/app/manifests/nope", ns: registry.host)
            #expect(missingTag.status == 404)
            #expect(missingTag.errorCode == "MANIFEST_UNKNOWN")
            let missingBlob = try await OCILarder.containerd(server, "/v2/team/app/blobs/sha256:\(String(repeating: "0", count: 64))", ns: registry.host)
            #expect(missingBlob.status == 404)
            #expect(missingBlob.errorCode == "BLOB_UNKNOWN")
        }
    }

    @Test func concurrentPullsOfOneLayerMakeOneUpstreamTransfer() async throws {
        let (registry, image) = try await Self.upstreamWithImage(layers: 1)
        defer { registry.remove() }
        let layer = try #require(image.platforms["linux/amd64"]?.layers.first)
        let server = try await OCILarder.start([registry.host: registry.url])
        try await server.use {
            let bodies = try await withThrowingTaskGroup(of: OCIExchange.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await OCILarder.containerd(server, "/v2/team/app/blobs/\(layer)", ns: registry.host) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(bodies.count == 8)
            for answer in bodies {
                #expect(answer.status == 200)
                #expect(BlobDigest(hashing: answer.body).description == layer)
            }
            #expect(registry.count("GET", "/v2/team/app/blobs/\(layer)") == 1, "\(registry.accessLog)")
        }
    }
}
