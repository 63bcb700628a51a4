import Foundation
import LarderTestSupport
import Testing

/// Tags are cached with a TTL and revalidated; a cached tag is served stale while the upstream is down; `evict`
/// drops one mapping; a stalled upstream fails promptly.
@Suite(.serialized) struct OCITagCacheTests {
    @Test func tagMovesAfterTheTTLIsServedStaleWhileTheUpstreamIsDownAndEvictForgetsIt() async throws {
        var (registry, first) = try await OCIPullTests.upstreamWithImage()
        let directory = registry.directory
        defer { registry.remove() }
        let ttl: Duration = .seconds(3)
        let server = try await OCILarder.start([registry.host: registry.url], defaultRegistry: registry.host, tagTTL: ttl)
        try await server.use {
            let resolved = try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: registry.host, method: "HEAD")
            let resolvedAt = ContinuousClock.now
            #expect(resolved.header("Docker-Content-Digest") == first.digest)

            // Move the tag upstream.
            let layout = OCITools.temporary("layout")
            defer { try? FileManager.default.removeItem(atPath: layout) }
            let second = try await OCITools.makeImage(in: layout, tag: "v1", layers: 2, seed: 2)
            try await OCITools.push(layout: layout, tag: "v1", to: registry.host, name: "team/app")
            let early = try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: registry.host, method: "HEAD")
            if ContinuousClock.now - resolvedAt < ttl {
                #expect(early.header("Docker-Content-Digest") == first.digest, "the tag was asked upstream within the TTL")
            }
            let moved = try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
                try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: registry.host, method: "HEAD")
                    .header("Docker-Content-Digest") == second.digest
            }
            #expect(moved, "the new digest was not served after the TTL")
            // Pull the moved image once, so its layers are cached.
            #expect(try await OCIAuthTests.pull(server).contains(second.digest))

            // Upstream down: the expired tag is served stale, with a Warning, and the image still pulls.
            registry.stop()
            try await Task.sleep(for: ttl + .milliseconds(200))
            let stale = try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: registry.host)
            #expect(stale.status == 200, "\(stale.text)")
            #expect(stale.header("Docker-Content-Digest") == second.digest)
            #expect(stale.header("Warning")?.hasPrefix("110 ") == true)
            #expect(stale.header("X-Larder-Cache") == "stale")
            #expect(try await OCIAuthTests.pull(server).contains(second.digest))

            // Evicted, the tag must be asked upstream again: with the upstream down that fails (5xx, not stale).
            let evict = try await OCILarder.curl("DELETE", server.url("/admin/oci/tags?ref=oci://\(registry.host)/team/app:v1"))
            #expect(evict.status == 200)
            #expect(evict.text.contains("\"evicted\" : true"))
            let gone = try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: registry.host)
            #expect((500..<600).contains(gone.status), "\(gone.status) \(gone.text)")
            #expect(gone.errorCode != nil)

            // Upstream back: the tag is fetched again.
            registry = try await RegistryFixture.start(port: registry.port, directory: directory)
            let back = try await OCILarder.containerd(server, "/v2/team/app/manifests/v1", ns: registry.host)
            #expect(back.status == 200)
            #expect(back.header("Docker-Content-Digest") == second.digest)
            #expect(back.header("X-Larder-Cache") == "miss")
        }
    }

    @Test func aStalledUpstreamFailsWithinTheStallTimeout() async throws {
        let directory = OCITools.temporary("stall")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stall = try await FixtureProcess.launchPython([OCITools.fixtures, "stall", directory + "/port"], port: .file(directory + "/port"))
        defer { stall.stop() }
        let host = "127.0.0.1:\(stall.port)"
        let server = try await OCILarder.start([host: stall.url], stallTimeout: .seconds(2))
        try await server.use {
            for path in ["/v2/team/app/manifests/v1", "/v2/team/app/blobs/sha256:\(String(repeating: "b", count: 64))"] {
                let started = ContinuousClock.now
                let answer = try await OCILarder.containerd(server, path, ns: host)
                let elapsed = ContinuousClock.now - started
                #expect(answer.status == 504, "\(path): \(answer.status) \(answer.text)")
                #expect(answer.errorCode == "UNKNOWN")
                // The stall timeout (2 s, libcurl counts whole seconds) plus scheduling slack on a loaded machine.
                #expect(elapsed < .seconds(8), "\(path) took \(elapsed)")
            }
        }
    }
}
