import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import RunModel
import Testing
import Upstream

@Suite("Run store over HTTP")
struct RunRoutesTests {
    static func record(flow: String = "SixMinVideos", run: String, step: String, task: String, attempt: Int = 0,
                       input: [String: String] = [:], start: Double = 1_780_000_000, seconds: Double = 10,
                       artifacts: [ArtifactReference] = []) throws -> TaskRecord {
        try TaskRecord(
            identity: TaskIdentity(flow: flow, run: run, step: step, task: task, attempt: attempt), input: input,
            node: NodeDescription(name: "node-a", cpuCount: 16, memoryBytes: 64 << 30),
            start: Date(timeIntervalSince1970: start), end: Date(timeIntervalSince1970: start + seconds),
            durationSeconds: seconds, exit: ExitOutcome(status: 0),
            usage: ResourceUsage(cpuSeconds: 1, avgCores: 0.1, p95Cores: 0.2, maxCores: 0.3, peakMemoryBytes: 1 << 20,
                                 samples: [], sampleIntervalSeconds: 1),
            artifacts: artifacts, command: ["true"])
    }

    static func putRecord(_ server: LarderTestServer, _ record: TaskRecord) async throws -> Fetched {
        let id = record.identity
        return try await fetch(UpstreamRequest(url: server.url("/runs/\(id.flow)/\(id.run)/\(id.step)/\(id.task)/record"),
                                               method: .put, uploadData: Array(try record.encoded())))
    }

    @Test("records and artifacts round trip; the run document lists every task")
    func roundTrip() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let transcript = Array("hello six minute english".utf8)
        let artifact = try await fetch(UpstreamRequest(
            url: server.url("/runs/SixMinVideos/1/tiny/4/artifacts/transcript"), method: .put,
            headers: [("Content-Type", "text/plain")], uploadData: transcript))
        #expect(artifact.status == 201)
        let reference = try JSONDecoder().decode(ArtifactReference.self, from: Data(artifact.body))
        #expect(reference.digest == BlobDigest(hashing: transcript).description)

        let tiny = try Self.record(run: "1", step: "tiny", task: "4", input: ["url": "a", "model": "tiny"], artifacts: [reference])
        #expect(try await Self.putRecord(server, tiny).status == 201)
        #expect(try await Self.putRecord(server, try Self.record(run: "1", step: "large", task: "5", start: 1_780_000_005)).status == 201)

        let fetched = try await get(server.url("/runs/SixMinVideos/1/tiny/4/record"))
        #expect(try TaskRecord.decode(Data(fetched.body)) == tiny)
        let bytes = try await get(server.url("/runs/SixMinVideos/1/tiny/4/artifacts/transcript"))
        #expect(bytes.body == transcript)
        #expect(bytes.header("Content-Type") == "text/plain")

        let run = try JSONDecoder().decode(RunDocument.self, from: Data(try await get(server.url("/runs/SixMinVideos/1")).body))
        #expect(run.schema == "larder.run/v1")
        #expect(Set(run.tasks.map(\.identity.step)) == ["tiny", "large"])
        let runs = try JSONSerialization.jsonObject(with: Data(try await get(server.url("/runs/SixMinVideos")).body)) as? [String: Any]
        let list = runs?["runs"] as? [[String: Any]]
        #expect(list?.first?["tasks"] as? Int == 2)
        #expect(list?.first?["start"] as? String == RFC3339Timestamp.string(from: Date(timeIntervalSince1970: 1_780_000_000)))
        let flows = String(decoding: try await get(server.url("/runs")).body, as: UTF8.self)
        #expect(flows.contains("SixMinVideos"))
    }

    @Test("the same artifact in two runs is stored once, pinned until the last run referencing it is removed")
    func deduplicationAndRemoval() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let transcript = Array(UpstreamFixture.randomBytes(50_000))
        for run in ["1", "2"] {
            let answer = try await fetch(UpstreamRequest(url: server.url("/runs/F/\(run)/s/1/artifacts/out"), method: .put, uploadData: transcript))
            #expect(answer.status == 201)
            #expect(try await Self.putRecord(server, try Self.record(flow: "F", run: run, step: "s", task: "1")).status == 201)
        }
        #expect(server.store.statistics.blobCount == 1)
        let digest = BlobDigest(hashing: transcript)
        #expect(try server.store.record(digest)?.pinned == true)
        #expect(try await fetch(UpstreamRequest(url: server.url("/runs/F/1"), method: .delete)).status == 204)
        #expect(try server.store.record(digest)?.pinned == true, "run 2 still references it")
        #expect(try await get(server.url("/runs/F/1")).status == 404)
        #expect(try await fetch(UpstreamRequest(url: server.url("/runs/F/2"), method: .delete)).status == 204)
        #expect(try server.store.record(digest)?.pinned == false)
    }

    @Test("--keep-runs removes the oldest runs of a flow")
    func retention() async throws {
        let server = try await LarderTestServer.start { $0.core.keepRuns = 2 }
        defer { Task { await server.stop() } }
        for (index, run) in ["a", "b", "c"].enumerated() {
            let record = try Self.record(flow: "F", run: run, step: "s", task: "1", start: 1_780_000_000 + Double(index) * 100)
            #expect(try await Self.putRecord(server, record).status == 201)
        }
        let runs = try server.store.runSummaries(flow: "F").map(\.run)
        #expect(runs == ["b", "c"])
    }

    @Test("names and bodies are validated with clear JSON errors")
    func validation() async throws {
        let server = try await LarderTestServer.start()
        defer { Task { await server.stop() } }
        let traversal = try await get(server.url("/runs/..%2F..%2Fetc/1"))
        #expect(traversal.status == 400)
        #expect(traversal.errorCode == "invalid_name")
        let long = try await get(server.url("/runs/" + String(repeating: "x", count: 300)))
        #expect(long.status == 400)
        let control = try await get(server.url("/runs/a%01b"))
        #expect(control.status == 400)

        let garbage = try await fetch(UpstreamRequest(url: server.url("/runs/F/1/s/1/record"), method: .put, uploadData: Array("{not json".utf8)))
        #expect(garbage.status == 400)
        #expect(garbage.errorCode == "invalid_record")
        let wrongPlace = try await fetch(UpstreamRequest(url: server.url("/runs/F/1/s/2/record"), method: .put,
                                                         uploadData: Array(try Self.record(flow: "F", run: "1", step: "s", task: "1").encoded())))
        #expect(wrongPlace.status == 400)
        #expect(wrongPlace.errorCode == "identity_mismatch")
        #expect(try await get(server.url("/runs/F/404")).status == 404)
        #expect(try await get(server.url("/runs/F/1/s/1/artifacts/none")).errorCode == "artifact_not_found")
    }
}
