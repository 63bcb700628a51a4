import Foundation
import LarderTestSupport
import Testing

/// `larder containerd-hosts`: the exact hosts.toml, read back by a real TOML parser (Python's tomllib), written
/// atomically under --dir, and plain-sentence errors for bad input.
@Suite struct ContainerdHostsTests {
    @Test func printsTheHostsTomlForDockerHub() async throws {
        let outcome = try await CLI.run(["containerd-hosts", "--registry", "docker.io", "--mirror", "http://10.0.0.5:7480"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let body = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }
        #expect(body.joined(separator: "\n") == """
            server = "https://registry-1.docker.io"

            [host."http://10.0.0.5:7480"]
              capabilities = ["pull", "resolve"]
              dial_timeout = "2s"

            """)
        #expect(outcome.stdout.hasPrefix("# Written by `larder containerd-hosts`"), "the clean-up recipe looks for this line")
    }

    @Test func aRealTomlParserReadsWhatContainerdWill() async throws {
        let outcome = try await CLI.run(["containerd-hosts", "--registry", "registry.example:5000", "--mirror",
                                         "http://192.168.1.7:7480", "--dial-timeout", "500ms"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let parsed = try await tomlAsJSON(outcome.stdout)
        let expected: [String: Any] = [
            "server": "https://registry.example:5000",
            "host": ["http://192.168.1.7:7480": ["capabilities": ["pull", "resolve"], "dial_timeout": "500ms"]],
        ]
        #expect(NSDictionary(dictionary: parsed).isEqual(to: expected), "\(parsed)")
    }

    @Test func anExplicitUpstreamAndNoDialTimeout() async throws {
        let outcome = try await CLI.run(["containerd-hosts", "--registry", "ghcr.io", "--mirror", "https://cache.internal",
                                         "--upstream", "https://ghcr.example", "--dial-timeout", ""])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let parsed = try await tomlAsJSON(outcome.stdout)
        #expect(parsed["server"] as? String == "https://ghcr.example")
        let host = (parsed["host"] as? [String: Any])?["https://cache.internal"] as? [String: Any]
        #expect(host?["capabilities"] as? [String] == ["pull", "resolve"])
        #expect(host?["dial_timeout"] == nil, "an empty --dial-timeout leaves the key out")
    }

    @Test func writesDirRegistryHostsTomlAndReplacesAnOldOne() async throws {
        let dir = temporaryPath("certs.d")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try await CLI.run(["containerd-hosts", "--registry", "docker.io", "--mirror", "http://10.0.0.5:7480", "--dir", dir])
        #expect(first.status == 0, "\(first.stderr)")
        let path = dir + "/docker.io/hosts.toml"
        #expect(first.stdout.contains(path))
        let second = try await CLI.run(["containerd-hosts", "--registry", "docker.io", "--mirror", "http://10.0.0.6:7480", "--dir", dir])
        #expect(second.status == 0, "\(second.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("[host.\"http://10.0.0.6:7480\"]") && !text.contains("10.0.0.5"))
        let printed = try await CLI.run(["containerd-hosts", "--registry", "docker.io", "--mirror", "http://10.0.0.6:7480"])
        #expect(text == printed.stdout, "the file holds exactly what is printed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/docker.io")
        #expect(leftovers == ["hosts.toml"], "no temporary file is left behind: \(leftovers)")
    }

    @Test(arguments: [
        (["--registry", "docker.io/library", "--mirror", "http://10.0.0.5:7480"], "--registry docker.io/library is not a registry host"),
        (["--registry", "../etc", "--mirror", "http://10.0.0.5:7480"], "is not a registry host"),
        (["--registry", "docker.io", "--mirror", "10.0.0.5:7480"], "--mirror 10.0.0.5:7480 is not an http(s) URL"),
        (["--registry", "docker.io", "--mirror", "http://x\"]\n[evil"], "is not an http(s) URL"),
        (["--registry", "docker.io", "--mirror", "http://10.0.0.5:7480", "--dial-timeout", "2"], "--dial-timeout 2 is not a duration"),
        (["--registry", "docker.io", "--mirror", "http://10.0.0.5:7480", "--upstream", "ftp://x"], "--upstream ftp://x is not an http(s) URL"),
    ])
    func refusesBadInputWithOneSentence(arguments: [String], message: String) async throws {
        let outcome = try await CLI.run(["containerd-hosts"] + arguments)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.hasPrefix("larder: ") && outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    }

    @Test func anUnwritableDirIsASentenceNotACrash() async throws {
        let file = temporaryPath("not-a-dir")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let outcome = try await CLI.run(["containerd-hosts", "--registry", "docker.io", "--mirror", "http://10.0.0.5:7480", "--dir", file])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.hasPrefix("larder: cannot create \(file)/docker.io"), "\(outcome.stderr)")
    }

    /// Parses TOML with Python's tomllib (the reference parser in the standard library) and returns it as JSON.
    private func tomlAsJSON(_ toml: String) async throws -> [String: Any] {
        let script = "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"
        let outcome = try await ProcessRunner.tool(["python3", "-c", script], stdin: Data(toml.utf8), timeout: .seconds(60))
        try #require(outcome.status == 0, "tomllib rejected the file: \(outcome.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
        return try #require(object as? [String: Any])
    }
}
