import Foundation
import LarderTestSupport
import Testing

/// `larder serve`'s registry flags and `larder evict`, as processes.
@Suite(.serialized) struct OCICLITests {
    @Test func serveFlagsMirrorARegistryAndEvictForgetsATag() async throws {
        let (registry, image) = try await OCIPullTests.upstreamWithImage()
        defer { registry.remove() }
        let server = try await LarderServeProcess.start(extraArguments: [
            "--registry", "\(registry.host)=\(registry.url)", "--default-registry", registry.host, "--registry-tag-ttl", "600",
        ])
        defer { server.stop() }
        let out = OCITools.temporary("pull")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await OCITools.skopeo(["copy", "--src-tls-verify=false", "docker://127.0.0.1:\(server.port)/team/app:v1", "oci:\(out):v1"])
        #expect(try OCITools.blobs(in: out).contains(image.digest))

        let reference = "oci://\(registry.host)/team/app:v1"
        let evicted = try await ProcessRunner.run(BuiltExecutable.larder, ["evict", "--server", server.url, reference])
        #expect(evicted.status == 0, "\(evicted.stderr)")
        #expect(evicted.stdout.contains("evicted \(reference)"))
        let again = try await ProcessRunner.run(BuiltExecutable.larder, ["evict", "--server", server.url, reference])
        #expect(again.stdout.contains("was not cached"), "\(again.stdout)")
        let digest = try await ProcessRunner.run(BuiltExecutable.larder, ["evict", "--server", server.url, "oci://\(registry.host)/team/app@\(image.digest)"])
        #expect(digest.status != 0)
        #expect(digest.stderr.contains("evict oci://REGISTRY/NAME:TAG"), "\(digest.stderr)")
    }

    @Test func badRegistryFlagsAreOneSentence() async throws {
        for arguments in [["--registry", "docker.io"], ["--registry", "docker.io=ftp://x"], ["--default-registry", "quay.io"],
                          ["--registry-auth", "/nonexistent/config.json"]] {
            let outcome = try await ProcessRunner.run(BuiltExecutable.larder, ["serve", "--listen", "127.0.0.1:0", "--data", OCITools.temporary("data")] + arguments,
                                                      timeout: .seconds(60))
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stderr.contains("--registry") || outcome.stderr.contains("--default-registry"), "\(arguments): \(outcome.stderr)")
        }
        let bad = try await ProcessRunner.run(BuiltExecutable.larder, ["evict", "--server", "http://127.0.0.1:1", "docker.io/library/python:3"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("oci://REGISTRY/NAME:TAG"))
    }
}
