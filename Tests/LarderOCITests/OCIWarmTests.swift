import Foundation
import LarderAPI
import LarderTestSupport
import Testing

/// `larder warm oci://…` pre-pulls an image through the server's OCI mirror: only the chosen platform of an index.
@Suite(.serialized) struct OCIWarmTests {
    @Test func warmFetchesOnlyTheChosenPlatformAndPinsIt() async throws {
        let registry = try await RegistryFixture.start()
        defer { registry.remove() }
        let layout = OCITools.temporary("layout")
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let image = try await OCITools.makeImage(in: layout, tag: "v1", layers: 2, platforms: ["linux/amd64", "linux/arm64"], seed: 7)
        try await OCITools.push(layout: layout, tag: "v1", to: registry.host, name: "team/multi", all: true)
        let arm = try #require(image.platforms["linux/arm64"])
        let amd = try #require(image.platforms["linux/amd64"])
        let server = try await OCILarder.start([registry.host: registry.url])
        try await server.use {
            let reference = "oci://\(registry.host)/team/multi:v1"
            let outcome = try await ProcessRunner.run(BuiltExecutable.larder, [
                "warm", "--server", server.base, "--platform", "linux/arm64", "--pin", "--json", reference,
            ], timeout: .seconds(120))
            #expect(outcome.status == 0, "\(outcome.stdout) \(outcome.stderr)")
            let status = try JSONDecoder().decode(WarmStatus.self, from: Data(outcome.stdout.utf8))
            #expect(status.refs.first?.files == arm.layers.count + 1)
            #expect(status.refs.first?.fetched == arm.layers.count + 1)
            for digest in arm.layers + [arm.config] {
                #expect(registry.count("GET", "/v2/team/multi/blobs/\(digest)") == 1, "\(digest)")
                #expect(try server.store.record(try #require(BlobDigest(parsing: digest)))?.pinned == true)
            }
            for digest in [arm.manifest, image.digest] {
                #expect(try server.store.record(try #require(BlobDigest(parsing: digest)))?.pinned == true, "manifest \(digest)")
            }
            for digest in amd.layers + [amd.config, amd.manifest] {
                #expect(registry.count("GET", "/v2/team/multi/blobs/\(digest)") == 0, "\(digest)")
                #expect(try server.store.record(try #require(BlobDigest(parsing: digest))) == nil)
            }
            // Warm again: everything is a hit.
            let again = try await ProcessRunner.run(BuiltExecutable.larder, [
                "warm", "--server", server.base, "--platform", "linux/arm64", "--json", reference,
            ], timeout: .seconds(120))
            let second = try JSONDecoder().decode(WarmStatus.self, from: Data(again.stdout.utf8))
            #expect(second.refs.first?.hits == arm.layers.count + 1)
            #expect(second.refs.first?.fetched == 0)

            let bad = try await ProcessRunner.run(BuiltExecutable.larder, ["warm", "--server", server.base, "oci://\(registry.host)/Team/multi:v1"])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("NAME") || bad.stderr.contains("component"), "\(bad.stderr)")
        }
    }
}
