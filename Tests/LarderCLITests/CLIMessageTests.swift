import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

/// Issue 17 items 3, 8, 9 and 18: standard input, help, plain error sentences, digest prefixes, `ls` layout.
@Suite("The larder command line: input, help and plain messages")
struct CLIMessageTests {
    /// True when `text` carries a Foundation or decoding dump instead of a sentence.
    static func isDump(_ text: String) -> Bool {
        ["NSCocoaErrorDomain", "UserInfo=", "DecodingError", "codingPath", "Error Domain="].contains { text.contains($0) }
    }

    @Test("put - through a server streams a pipe (chunked), with no size known in advance")
    func putStandardInputThroughServer() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let bytes = UpstreamFixture.randomBytes(3_000_000)
        let put = try await CLI.run(["put", "-", "--server", server.url], stdin: Data(bytes))
        #expect(put.status == 0, "\(put.stderr)")
        #expect(put.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BlobDigest(hashing: bytes).description)
        let empty = try await CLI.run(["put", "-", "--server", server.url], stdin: Data())
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BlobDigest(hashing: []).description)
    }

    @Test("run --help and -h show the help, also with LARDER_* set")
    func runHelp() async throws {
        for flag in ["--help", "-h"] {
            for environment in [[:], ["LARDER_FLOW": "F", "LARDER_RUN": "1", "LARDER_STEP": "s", "LARDER_TASK": "1"]] {
                let help = try await CLI.run(["run", flag], environment: environment)
                #expect(help.status == 0, "\(flag) \(environment): \(help.stderr)")
                #expect(help.stdout.contains("--stdout-artifact"), "\(flag) \(environment): \(help.stdout)")
                #expect(!help.stderr.contains("cannot start"))
            }
        }
    }

    @Test("put DIR, runs import of a missing or broken file, serve --data on a file or /proc: one plain sentence")
    func plainSentences() async throws {
        let work = temporaryPath("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        let putDirectory = try await CLI.run(["put", work, "--data", work + "/data"])
        #expect(putDirectory.status == 1)
        #expect(putDirectory.stderr.contains("\(work) is a directory"), "\(putDirectory.stderr)")
        #expect(!Self.isDump(putDirectory.stderr))
        let putDirectoryServer = try await CLI.run(["put", work, "--server", "http://127.0.0.1:\(try RawHTTP.closedPort())"])
        #expect(putDirectoryServer.status == 1)
        #expect(putDirectoryServer.stderr.contains("\(work) is a directory"), "\(putDirectoryServer.stderr)")

        let closed = "http://127.0.0.1:\(try RawHTTP.closedPort())"
        let missing = try await CLI.run(["runs", "import", work + "/nope.json", "--server", closed])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read \(work)/nope.json: no such file"), "\(missing.stderr)")
        #expect(!Self.isDump(missing.stderr))
        try Data("{\"schema\": \"larder.run/v1\", \"flow\": 3}".utf8).write(to: URL(fileURLWithPath: work + "/bad.json"))
        let broken = try await CLI.run(["runs", "import", work + "/bad.json", "--server", closed])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("is not a run document"), "\(broken.stderr)")
        #expect(!Self.isDump(broken.stderr), "\(broken.stderr)")
        #expect(broken.stderr.split(separator: "\n").count == 1)

        let file = work + "/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for data in [file, "/proc/nope"] {
            let serve = try await CLI.run(["serve", "--listen", "127.0.0.1:0", "--data", data], timeout: .seconds(20))
            #expect(serve.status == 1)
            #expect(serve.stderr.contains("cannot use \(data) as the data directory"), "\(serve.stderr)")
            #expect(!Self.isDump(serve.stderr), "\(serve.stderr)")
        }
    }

    @Test("read-only commands on a mistyped --data create nothing")
    func readOnlyCommandsCreateNoStore() async throws {
        let typo = temporaryPath("no-such-data")
        defer { try? FileManager.default.removeItem(atPath: typo) }
        for command in [["ls"], ["stats"], ["verify"], ["gc"], ["get", String(repeating: "a", count: 64)], ["pin", "abcd"], ["rm", "abcd"]] {
            let result = try await CLI.run(command + ["--data", typo])
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains("no Larder data directory at \(typo)"), "\(command): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: typo), "\(command) created \(typo)")
        }
    }

    @Test("--allow-upstream takes hosts: a URL is rejected with the host to give instead")
    func allowUpstreamRejectsURLs() async throws {
        for entry in ["http://x", "huggingface.co/models", "ok.example.com,https://y.example.com/"] {
            let unused = temporaryPath("unused")
            defer { try? FileManager.default.removeItem(atPath: unused) }
            let serve = try await CLI.run(["serve", "--listen", "127.0.0.1:0", "--data", unused, "--allow-upstream", entry], timeout: .seconds(20))
            #expect(serve.status == 64, "\(entry)")
            #expect(serve.stderr.contains("is not a host name"), "\(entry): \(serve.stderr)")
        }
        let unused = temporaryPath("unused")
        defer { try? FileManager.default.removeItem(atPath: unused) }
        let suggestion = try await CLI.run(["serve", "--listen", "127.0.0.1:0", "--data", unused, "--allow-upstream", "https://files.example.com:8443/x"],
                                           timeout: .seconds(20))
        #expect(suggestion.stderr.contains("--allow-upstream files.example.com"), "\(suggestion.stderr)")
    }

    @Test("ls columns line up with their headers; pin, get and rm accept a unique digest prefix")
    func listingAndPrefixes() async throws {
        let data = temporaryPath("larder-data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        // Two blobs whose digests share no first digit, found by trying contents.
        var digests: [String: Data] = [:]
        var counter = 0
        while digests.count < 2 {
            let content = Data("blob \(counter)".utf8)
            counter += 1
            let hex = BlobDigest(hashing: Array(content)).hex
            if digests.keys.allSatisfy({ $0.first != hex.first }) { digests[hex] = content }
        }
        for content in digests.values {
            #expect(try await CLI.run(["put", "-", "--data", data], stdin: content).status == 0)
        }
        let (hex, content) = try #require(digests.first)

        #expect(try await CLI.run(["pin", String(hex.prefix(6)), "--data", data]).status == 0)
        let listed = try await CLI.run(["ls", "--data", data])
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let header = try #require(lines.first)
        let pinned = try #require(lines.first { $0.contains(String(hex.prefix(13))) })
        func column(_ name: String) throws -> Int { try #require(header.range(of: name)).lowerBound.utf16Offset(in: header) }
        let row = Array(pinned)
        #expect(try row[column("SIZE")].isNumber && row[column("SIZE") - 1] == " ", "\(header)\n\(pinned)")
        #expect(try String(row[column("LAST ACCESS")...].prefix(4)).allSatisfy(\.isNumber), "\(header)\n\(pinned)")
        #expect(try String(row[column("PIN")...].prefix(3)) == "yes", "\(header)\n\(pinned)")

        let output = temporaryPath("out")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let get = try await CLI.run(["get", "sha256:" + hex.prefix(8), "-o", output, "--data", data])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == content)

        let unused = try #require("0123456789abcdef".first { digit in digests.keys.allSatisfy { $0.first != digit } })
        let none = try await CLI.run(["rm", String(repeating: unused, count: 5), "--data", data])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no stored blob has a digest starting with"), "\(none.stderr)")
        let short = try await CLI.run(["rm", "ab", "--data", data])
        #expect(short.status == 64)

        #expect(try await CLI.run(["rm", String(hex.prefix(4)), "--data", data]).status == 0)
        let after = try await CLI.run(["ls", "--json", "--data", data])
        let listings = try JSONDecoder().decode([BlobListing].self, from: Data(after.stdout.utf8))
        #expect(listings.map(\.record.digest.hex) == digests.keys.filter { $0 != hex })
    }

    @Test("fetch --json prints a JSON summary and needs -o")
    func fetchJSON() async throws {
        let upstream = try await UpstreamFixture.start(bigSize: 10_000)
        defer { upstream.stop() }
        let data = temporaryPath("larder-data")
        let output = temporaryPath("fetched")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: output)
        }
        let url = upstream.url(unique("/files/big.bin"))
        let fetched = try await CLI.run(["fetch", url, "-o", output, "--json", "--data", data])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(fetched.stdout.utf8)) as? [String: String]
        #expect(summary?["url"] == url)
        #expect(summary?["cache"] == "miss")
        #expect(summary?["output"] == output)
        let toStdout = try await CLI.run(["fetch", url, "--json", "--data", data])
        #expect(toStdout.status == 64)
    }
}

extension CLIMessageTests {
    @Test("warm --data with the Hub unreachable says \"is not cached\" once")
    func warmFailureReportedOnce() async throws {
        let data = temporaryPath("larder-data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let warm = try await CLI.run(["warm", "hf://org/model", "--data", data, "--hf-upstream", "http://127.0.0.1:\(try RawHTTP.closedPort())"])
        #expect(warm.status == 1)
        let output = warm.stdout + warm.stderr
        #expect(output.components(separatedBy: "org/model@main is not cached").count - 1 == 1, "\(output)")
    }
}
