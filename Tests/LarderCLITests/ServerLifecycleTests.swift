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
        let first = try await LifecycleServe.start(directory: directory)
        let started = ContinuousClock.now
        kill(first.process.processIdentifier, SIGTERM)
        // The access-time flush runs every 5 s; the server used to wait for it. Bound generous for a loaded machine.
        let exited = await first.waitForExit(within: .seconds(3))
        #expect(exited, "larder serve was still running \(ContinuousClock.now - started) after SIGTERM")
        if !exited { first.kill() }
        #expect(first.process.terminationStatus == 0, "log: \(first.log)")

        let second = try await LifecycleServe.start(directory: directory)
        #expect(!second.log.contains("in use"))
        kill(second.process.processIdentifier, SIGTERM)
        #expect(await second.waitForExit(within: .seconds(3)))
        second.kill()
    }

    @Test("fetch with a wrong --sha256 reports the mismatch, and the upstream is asked once")
    func fetchWrongDigest() async throws {
        let fixture = try await UpstreamFixture.start(bigSize: 1 << 20)
        defer { fixture.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-mismatch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await LifecycleServe.start(directory: directory, extra: ["--allow-upstream", "127.0.0.1"])
        defer { server.kill() }
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

/// A `larder serve` child process on a free loopback port over a given data directory.
private final class LifecycleServe: @unchecked Sendable {
    // Invariant: every property is set in `init` and never changed; the process is only signalled and waited on.
    let process: Process
    let port: Int
    let logFile: String
    var url: String { "http://127.0.0.1:\(port)" }
    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    private init(process: Process, port: Int, logFile: String) {
        self.process = process
        self.port = port
        self.logFile = logFile
    }

    static func start(directory: String, extra: [String] = []) async throws -> LifecycleServe {
        let logFile = directory + "-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logFile, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", directory, "--max-size", "1GiB"] + extra
        process.standardError = FileHandle(forWritingAtPath: logFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if let range = log.range(of: "address=127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), port > 0 {
                    return LifecycleServe(process: process, port: port, logFile: logFile)
                }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        throw FixtureError("larder serve did not start: \((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")")
    }

    /// Polls until the process exited or `timeout` passed; returns whether it exited.
    func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !process.isRunning
    }

    /// Stops the process (SIGKILL if needed) and removes its log.
    func kill() {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logFile)
    }
}
