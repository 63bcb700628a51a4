import Foundation
import LarderTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17 with the real binaries: SIGTERM stops an idle server at once so it can be restarted right away
/// (item 16), and `larder fetch --sha256 <wrong>` says the content did not match (item 10).
@Suite("Server lifecycle and digest mismatch (issue 17)", .timeLimit(.minutes(2)))
struct ServerLifecycleTests {
    @Test("SIGTERM stops an idle server promptly and it restarts at once on the same data directory")
    func sigtermThenRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await LarderServeProcess.start(directory: directory)
        let started = ContinuousClock.now
        first.child.signal(SIGTERM)
        // The access-time flush runs every 5 s; the server used to wait for it. Bound generous for a loaded machine.
        let exited = await first.waitForExit(within: .seconds(3))
        #expect(exited, "larder serve was still running \(ContinuousClock.now - started) after SIGTERM")
        if !exited { first.stop() }
        #expect(first.child.status == 0, "log: \(first.log)")

        let second = try await LarderServeProcess.start(directory: directory)
        #expect(!second.log.contains("in use"))
        second.child.signal(SIGTERM)
        #expect(await second.waitForExit(within: .seconds(3)))
        second.stop()
    }

    @Test("fetch with a wrong --sha256 reports the mismatch, and the upstream is asked once")
    func fetchWrongDigest() async throws {
        let fixture = try await UpstreamFixture.start(bigSize: 1 << 20)
        defer { fixture.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-mismatch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await LarderServeProcess.start(directory: directory, extraArguments: ["--allow-upstream", "127.0.0.1"])
        defer { server.stop() }
        let output = directory + "-out.bin"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let wrong = String(repeating: "cd", count: 32)
        let outcome = try await CLI.run(["fetch", fixture.url("/files/big.bin"), "--sha256", wrong, "-o", output,
                                         "--server", server.url])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("does not match"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains(wrong), "stderr: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("transport error"), "stderr: \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try fixture.requests(to: "/files/big.bin").count == 1, "a transfer that could not succeed was repeated")
    }
}
