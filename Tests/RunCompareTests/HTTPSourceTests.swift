import Foundation
import Testing
@testable import RunCompare

/// Reads runs and artifacts over HTTP from a loopback stand-in for the server's /runs API
/// (Fixtures/fake_runs_server.py), so the artifacts are not inline and must be fetched.
@Suite struct HTTPSourceTests {
    @Test func diffOverHTTP() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runcmp-http-\(getpid())")
        let flowDirectory = directory.appendingPathComponent("runs/Whisper")
        try FileManager.default.createDirectory(at: flowDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.runA().encoded().write(to: flowDirectory.appendingPathComponent("100.json"))
        try Fixtures.runB().encoded().write(to: flowDirectory.appendingPathComponent("200.json"))
        let portFile = directory.appendingPathComponent("port")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", Fixtures.testsDirectory.appendingPathComponent("Fixtures/fake_runs_server.py").path,
                            directory.appendingPathComponent("runs").path, portFile.path]
        try server.run()
        // SIGKILL: the child inherits the spawning worker thread's signal mask, in which
        // libdispatch blocks SIGTERM, so `terminate()` would not stop it.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var port: String?
        for _ in 0..<100 where port == nil {
            Thread.sleep(forTimeInterval: 0.05)
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
        }
        let portNumber = try #require(port)
        let url = try #require(URL(string: "http://127.0.0.1:\(portNumber)"))
        let source = HTTPRunSource(baseURL: url)

        #expect(try source.flows() == [FlowListing(flow: "Whisper", runs: 2)])
        #expect(try source.runs(flow: "Whisper").map(\.run) == ["100", "200"])
        let a = try LoadedRun.load(flow: "Whisper", run: "100", from: source)
        #expect(a.document.inline.isEmpty)
        let b = try LoadedRun.load(flow: "Whisper", run: "200", from: source)
        let overHTTP = RunComparer.compare(a, b)
        #expect(overHTTP == (try Fixtures.report()))
        #expect(overHTTP.outputs.differentText == 2)

        #expect(throws: RunCompareError.self) { try source.run(flow: "Whisper", run: "999") }
        do {
            _ = try source.run(flow: "Whisper", run: "999")
        } catch {
            #expect("\(error)".contains("HTTP 404: no such run"))
        }
    }
}
