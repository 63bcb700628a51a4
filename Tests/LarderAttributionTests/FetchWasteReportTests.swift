import Foundation
import LarderTestSupport
import Testing

/// The whole loop on real records: tasks fetch through `larder run`, `runcmp diff` explains the wait and names the warm
/// command.
@Suite("runcmp explains download waste from real task records", .serialized, .timeLimit(.minutes(10)))
struct FetchWasteReportTests {
    @Test("a run whose task waited on a cold download vs one that hit: a Fetches section and a warm --from-run finding")
    func fetchWasteFinding() async throws {
        // 6 MiB at 1 MB/s: over 5 s of waiting, the finding's threshold per task.
        let upstream = try await UpstreamFixture.start(bigSize: 6 << 20)
        defer { upstream.stop() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("larder-fetchwaste-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let source = upstream.url("/slow/big.bin?rate=1000000")
        let server = try await LarderTestServer.start()
        try await server.use {
            for run in ["cold", "warm"] {
                let script = "curl -sS -f -o /dev/null \"$LARDER_SERVER\(server.fetchPath(source))\""
                let outcome = try await larderRun(server: server.base, run: run, spool: work + "/spool", ["/bin/sh", "-c", script])
                #expect(outcome.status == 0, "\(outcome.stderr)")
            }
            let runcmp = BuiltExecutable.path("runcmp")
            let json = try await ProcessRunner.run(runcmp, ["diff", "F/cold", "F/warm", "--server", server.base, "--format", "json"],
                                                   unsetting: ["LARDER_*"])
            #expect(json.status == 0, "\(json.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(report["fetches"] != nil, "no fetches section")
            let findings = report["findings"] as? [[String: Any]] ?? []
            let fetching = try #require(findings.first { $0["kind"] as? String == "fetching" }, "no fetching finding: \(findings.map { $0["kind"] ?? "" })")
            #expect(fetching["side"] as? String == "A")
            #expect(fetching["step"] as? String == "train")
            let action = fetching["action"] as? String ?? ""
            #expect(action.contains("larder warm --from-run F/cold --step train"), "\(action)")

            let text = try await ProcessRunner.run(runcmp, ["diff", "F/cold", "F/warm", "--server", server.base, "--color", "never"],
                                                   unsetting: ["LARDER_*"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("FETCHES"))
            #expect(text.stdout.contains("larder warm --from-run F/cold --step train"))
        }
    }
}
