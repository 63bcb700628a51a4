import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

@Suite("The larder command line, run as a real process")
struct CLITests {
    @Test("put, get, ls, pin, unpin, verify, gc and rm on a data directory")
    func dataDirectoryRoundTrip() async throws {
        let data = temporaryPath("larder-data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let file = temporaryPath("input")
        let bytes = UpstreamFixture.randomBytes(3_000_000)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }

        let put = try await CLI.run(["put", file, "--data", data])
        #expect(put.status == 0, "\(put.stderr)")
        let digest = BlobDigest(hashing: bytes).description
        #expect(put.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == digest)

        let output = temporaryPath("output")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let get = try await CLI.run(["get", digest, "-o", output, "--data", data])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(bytes))

        let stdinPut = try await CLI.run(["put", "-", "--data", data], stdin: Data("from stdin".utf8))
        #expect(stdinPut.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BlobDigest(hashing: Array("from stdin".utf8)).description)

        #expect(try await CLI.run(["pin", digest, "--data", data]).status == 0)
        let listed = try await CLI.run(["ls", "--json", "--data", data])
        let listings = try JSONDecoder().decode([BlobListing].self, from: Data(listed.stdout.utf8))
        #expect(listings.count == 2)
        #expect(listings.first { $0.record.digest.description == digest }?.record.pinned == true)
        #expect(try await CLI.run(["unpin", digest, "--data", data]).status == 0)

        let verify = try await CLI.run(["verify", "--data", data])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("verified 2 blobs"))
        #expect(try await CLI.run(["gc", "--data", data]).status == 0)

        #expect(try await CLI.run(["rm", digest, "--data", data]).status == 0)
        let missing = try await CLI.run(["get", digest, "--data", data])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not in the store"))
    }

    @Test("the same commands through a running server, and a clear refusal to open its directory directly")
    func throughServer() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let bytes = UpstreamFixture.randomBytes(2_500_000)
        let file = temporaryPath("input")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }

        let put = try await CLI.run(["put", file, "--server", server.url])
        #expect(put.status == 0, "\(put.stderr)")
        let digest = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest == BlobDigest(hashing: bytes).description)

        let output = temporaryPath("output")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let get = try await CLI.run(["get", digest, "-o", output], environment: ["LARDER_SERVER": server.url])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(bytes))

        let stats = try await CLI.run(["stats", "--json", "--server", server.url])
        #expect(stats.stdout.contains("\"blobCount\" : 1"))

        let direct = try await CLI.run(["ls", "--data", server.directory])
        #expect(direct.status == 1)
        #expect(direct.stderr.contains("in use by another larder process"))
    }

    @Test("fetch through the server pulls from a real upstream once")
    func fetchThroughServer() async throws {
        let upstream = try await UpstreamFixture.start(bigSize: 1_500_000)
        defer { upstream.stop() }
        let server = try await LarderServeProcess.start(extraArguments: ["--allow-upstream", "127.0.0.1"])
        defer { server.stop() }
        let path = unique("/files/big.bin")
        let output = temporaryPath("fetched")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let sha = BlobDigest(hashing: upstream.big).hex
        for _ in 0..<2 {
            let fetched = try await CLI.run(["fetch", upstream.url(path), "--sha256", sha, "-o", output, "--server", server.url])
            #expect(fetched.status == 0, "\(fetched.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(upstream.big))
        }
        #expect(try upstream.requests(to: path).count == 1)
    }

    @Test("usage errors say what is wrong")
    func usageErrors() async throws {
        let badSize = try await CLI.run(["serve", "--max-size", "lots"])
        #expect(badSize.status == 64)
        #expect(badSize.stderr.contains("--max-size"))
        let badDigest = try await CLI.run(["get", "sha256:nope", "--data", temporaryPath("x")])
        #expect(badDigest.status == 64)
        #expect(badDigest.stderr.contains("not a digest"))
        let noServer = try await CLI.run(["ls", "--server", "http://127.0.0.1:\(try RawHTTP.closedPort())"])
        #expect(noServer.status == 1)
        #expect(noServer.stderr.contains("cannot reach the larder server"))
    }
}
