import Foundation
import LarderAPI
import LarderTestSupport
import Testing

/// The CLI's side of write authorisation: `larder put/rm/warm/run/runs` send `$LARDER_TOKEN` or `--token-file`,
/// say in one sentence what to do when refused, and `larder run` keeps a refused record in the spool.
@Suite("CLI tokens against a `larder serve --token-file` process")
struct AuthCLITests {
    /// Runs `larder ARGS…` without any token or server from the test runner's environment.
    static func larder(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutcome {
        try await ProcessRunner.run(BuiltExecutable.larder, arguments, environment: environment,
                                    unsetting: ["LARDER_SERVER", "LARDER_DATA", "LARDER_TOKEN", "LARDER_TOKEN_FILE", "LARDER_SPOOL"],
                                    timeout: .seconds(120))
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }

    @Test("put, pin and rm send the token from $LARDER_TOKEN or --token-file; refusals are one plain sentence")
    func blobCommands() async throws {
        let tokens = try TestTokens.writeFile()
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        let server = try await LarderServeProcess.start(extraArguments: ["--token-file", tokens])
        defer { server.stop() }
        let file = Self.temporary("payload")
        try Data("payload for the CLI".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let digest = BlobDigest(hashing: Array("payload for the CLI".utf8))

        let refused = try await Self.larder(["put", file, "--server", server.url])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("401 (token_required)") && refused.stderr.contains("LARDER_TOKEN"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")

        let wrongScope = try await Self.larder(["put", file, "--server", server.url], environment: ["LARDER_TOKEN": TestTokens.warm])
        #expect(wrongScope.status == 1 && wrongScope.stderr.contains("403 (insufficient_scope)"), "\(wrongScope.stderr)")

        let put = try await Self.larder(["put", file, "--server", server.url], environment: ["LARDER_TOKEN": TestTokens.blobs])
        #expect(put.status == 0, "\(put.stderr)")
        #expect(put.stdout.contains(digest.hex), "\(put.stdout)")

        let clientFile = Self.temporary("client-token")
        try "# the CI token\n\(TestTokens.blobs)  blobs\n".write(toFile: clientFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: clientFile) }
        let pin = try await Self.larder(["pin", digest.description, "--server", server.url, "--token-file", clientFile])
        #expect(pin.status == 0, "\(pin.stderr)")
        let viaEnvironmentFile = try await Self.larder(["unpin", digest.description, "--server", server.url],
                                                       environment: ["LARDER_TOKEN_FILE": clientFile])
        #expect(viaEnvironmentFile.status == 0, "\(viaEnvironmentFile.stderr)")

        let missing = try await Self.larder(["rm", digest.description, "--server", server.url, "--token-file", clientFile + ".missing"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read the token file"), "\(missing.stderr)")
        let remove = try await Self.larder(["rm", digest.description, "--server", server.url], environment: ["LARDER_TOKEN": TestTokens.all])
        #expect(remove.status == 0, "\(remove.stderr)")
        let gone = try await send(.head, server.url + "/blobs/\(digest)")
        #expect(gone.status == 404)
    }

    @Test("larder warm is refused without a token, accepted with a warm token")
    func warm() async throws {
        let tokens = try TestTokens.writeFile()
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        // The Hub upstream is a closed loopback port: nothing leaves the machine.
        let server = try await LarderServeProcess.start(extraArguments: ["--token-file", tokens,
                                                                         "--hf-upstream", "http://127.0.0.1:\(try RawHTTP.closedPort())"])
        defer { server.stop() }
        let refused = try await Self.larder(["warm", "hf://nobody/nothing", "--server", server.url])
        #expect(refused.status == 1 && refused.stderr.contains("token_required"), "\(refused.stderr)")
        let accepted = try await Self.larder(["warm", "hf://nobody/nothing", "--server", server.url, "--json"],
                                             environment: ["LARDER_TOKEN": TestTokens.warm])
        // The job runs (and fails: there is no such repository upstream); it was not refused.
        #expect(!accepted.stderr.contains("token") && accepted.stdout.contains(#""ref" : "hf:\/\/nobody\/nothing""#),
                "\(accepted.stdout) \(accepted.stderr)")
        #expect(accepted.stdout.contains(#""state" : "failed""#) && accepted.stdout.contains("127.0.0.1"), "\(accepted.stdout)")
    }

    @Test("larder run keeps a record the server refuses for its token in the spool, says why, and flush sends it with the token")
    func runSpoolsRefusedRecords() async throws {
        let tokens = try TestTokens.writeFile()
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        let server = try await LarderServeProcess.start(extraArguments: ["--token-file", tokens])
        defer { server.stop() }
        let spool = Self.temporary("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let identity = ["--flow", "Nightly", "--run", "7", "--step", "train", "--task", "1", "--spool", spool]
        for (environment, expected) in [([String: String](), "401 (token_required)"), (["LARDER_TOKEN": TestTokens.other], "403 (insufficient_scope)")] {
            let run = try await Self.larder(["run", "--server", server.url] + identity + ["--", "echo", "hello"], environment: environment)
            #expect(run.status == 0, "the command's own status: \(run.stderr)")
            #expect(run.stdout == "hello\n")
            #expect(run.stderr.contains("spooled in \(spool)") && run.stderr.contains(expected), "\(run.stderr)")
        }
        let pending = try FileManager.default.contentsOfDirectory(atPath: spool).filter { !$0.hasPrefix(".") && $0 != "quarantine" }
        #expect(pending.count == 2, "both records wait in the spool, none quarantined: \(pending)")
        let quarantined = (try? FileManager.default.contentsOfDirectory(atPath: spool + "/quarantine")) ?? []
        #expect(quarantined.isEmpty, "\(quarantined)")

        let stillRefused = try await Self.larder(["runs", "flush", "--server", server.url, "--spool", spool])
        #expect(stillRefused.stdout.contains("sent 0") && stillRefused.stdout.contains("2 remain"), "\(stillRefused.stdout) \(stillRefused.stderr)")
        let flushed = try await Self.larder(["runs", "flush", "--server", server.url, "--spool", spool],
                                            environment: ["LARDER_TOKEN": TestTokens.nightly])
        #expect(flushed.status == 0 && flushed.stdout.contains("sent 2"), "\(flushed.stdout) \(flushed.stderr)")
        let document = try await send(.get, server.url + "/runs/Nightly/7")
        #expect(document.status == 200, "\(document)")
        let shown = try await Self.larder(["runs", "rm", "Nightly/7", "--server", server.url], environment: ["LARDER_TOKEN": TestTokens.other])
        #expect(shown.status == 1 && shown.stderr.contains("insufficient_scope"), "\(shown.stderr)")
    }
}
