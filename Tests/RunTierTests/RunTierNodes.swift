import Foundation
import LarderTestSupport

/// Two or more `larder serve` processes ("nodes") sharing one S3 run tier in a moto server.
final class RunTierNodes: Sendable {
    let moto: MotoS3Fixture
    let prefix: String
    let credentialsFile: String
    let scratch: String

    init(moto: MotoS3Fixture) throws {
        self.moto = moto
        self.prefix = "team-\(UUID().uuidString.prefix(8).lowercased())"
        self.scratch = FileManager.default.temporaryDirectory.appendingPathComponent("runtier-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        self.credentialsFile = scratch + "/credentials"
        try moto.writeCredentials(to: credentialsFile)
    }

    /// Starts a node on data directory `name` under the scratch folder (kept across restarts).
    func start(_ name: String, extra: [String] = []) async throws -> LarderServeProcess {
        try await LarderServeProcess.start(directory: scratch + "/" + name,
                                           extraArguments: moto.serveArguments(prefix: prefix, credentialsFile: credentialsFile) + extra)
    }

    /// Records one task through `node` with the real `larder run`, on node `nodeName`, its output as an artifact.
    func record(on node: LarderServeProcess, nodeName: String, flow: String, run: String, step: String, task: String,
                input: String, text: String? = nil) async throws {
        let outcome = try await ProcessRunner.run(
            BuiltExecutable.larder,
            ["run", "--server", node.url, "--flow", flow, "--run", run, "--step", step, "--task", task,
             "--input", "video=\(input)", "--stdout-artifact", "transcript", "--", "/bin/sh", "-c", "echo \(text ?? "transcript of \(input)")"],
            environment: ["NODE_NAME": nodeName, "LARDER_SPOOL": scratch + "/spool-\(nodeName)"],
            unsetting: ["LARDER_*"], timeout: .seconds(60))
        guard outcome.status == 0 else { throw FixtureError("larder run failed: \(outcome.stderr)") }
    }

    /// The run tier section of `node`'s `/stats`.
    func tierStats(_ node: LarderServeProcess) async throws -> [String: Any] {
        let stats = try await get(node.url + "/stats")
        return ((stats.json as? [String: Any])?["runTier"] as? [String: Any]) ?? [:]
    }

    /// Waits until `node`'s outbox is empty.
    func drained(_ node: LarderServeProcess, timeout: Duration = .seconds(60)) async throws -> Bool {
        try await eventually(timeout: timeout, interval: .milliseconds(100)) {
            (try await tierStats(node)["outboxDepth"] as? Int) == 0
        }
    }

    /// The record keys in S3 under this test's prefix.
    func recordKeys() async throws -> [String] {
        try await moto.list(prefix: prefix + "/runs/").map(\.key).filter { $0.hasSuffix(".json") }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: scratch)
    }
}
