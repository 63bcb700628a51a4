import Crypto
import Foundation
import LarderTestSupport
import Testing

/// The S3 run tier against a real S3 API (moto in server mode, checking SigV4 signatures) and real `larder serve`
/// processes: whole runs from any node, nothing lost across outages and crashes.
@Suite("S3 run tier: two nodes, one bucket", .serialized)
struct RunTierTests {
    @Test("tasks recorded half on each node: both nodes and runcmp see every task, also after a node is recycled")
    func wholeRunsFromEitherNode() async throws {
        let moto = try await MotoS3Fixture.start()
        defer { moto.stop() }
        let nodes = try RunTierNodes(moto: moto)
        defer { nodes.remove() }
        let a = try await nodes.start("node-a")
        let b = try await nodes.start("node-b")
        defer { a.stop(); b.stop() }

        for run in ["1", "2"] {
            for task in 1...4 {
                let node = task <= 2 ? a : b
                try await nodes.record(on: node, nodeName: task <= 2 ? "node-a" : "node-b", flow: "Whisper", run: run,
                                       step: "transcribe", task: "\(task)", input: "v\(task)")
            }
        }
        #expect(try await nodes.drained(a))
        #expect(try await nodes.drained(b))
        #expect(try await nodes.recordKeys().count == 8)

        for node in [a, b] {
            let run = try await get(node.url + "/runs/Whisper/1")
            let tasks = (run.json as? [String: Any])?["tasks"] as? [[String: Any]] ?? []
            #expect(tasks.count == 4, "\(node.url) sees \(tasks.count) of 4 tasks")
            let nodesSeen = Set(tasks.compactMap { ($0["node"] as? [String: Any])?["name"] as? String })
            #expect(nodesSeen == ["node-a", "node-b"])
            let flows = try await get(node.url + "/runs/Whisper")
            #expect(((flows.json as? [String: Any])?["runs"] as? [[String: Any]])?.count == 2)
            // An artifact recorded on the other node is read through S3 and verified.
            let artifact = try await get(node.url + "/runs/Whisper/1/transcribe/\(node === a ? "4" : "1")/artifacts/transcript")
            #expect(artifact.status == 200)
            #expect(String(decoding: artifact.body, as: UTF8.self) == "transcript of v\(node === a ? "4" : "1")\n")

            let diff = try await ProcessRunner.run(BuiltExecutable.path("runcmp"),
                                                   ["diff", "Whisper/1", "Whisper/2", "--server", node.url, "--format", "json"])
            #expect(diff.status == 0, "\(diff.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any]
            let text = diff.stdout
            #expect(report != nil)
            #expect(text.contains("node-a") && text.contains("node-b"), "placement on both nodes")
        }

        // Node A is recycled: its data directory is gone. B still answers for the whole run, A's artifacts included.
        a.kill()
        try? FileManager.default.removeItem(atPath: a.directory)
        let run = try await get(b.url + "/runs/Whisper/2")
        #expect(((run.json as? [String: Any])?["tasks"] as? [Any])?.count == 4)
        let artifact = try await get(b.url + "/runs/Whisper/2/transcribe/2/artifacts/transcript")
        #expect(String(decoding: artifact.body, as: UTF8.self) == "transcript of v2\n")

        // Deleting a run removes it from the tier too, also its tasks recorded by the recycled node.
        let removed = try await fetch(.init(url: b.url + "/runs/Whisper/1", method: .delete))
        #expect(removed.status == 204)
        #expect(try await nodes.drained(b))
        #expect(try await nodes.recordKeys().filter { $0.contains("/Whisper/1/") }.isEmpty)
        #expect(try await nodes.recordKeys().count == 4, "run 2 stays")
        #expect(try await get(b.url + "/runs/Whisper/1").status == 404)
    }

    @Test("S3 hung while tasks record, the node killed with a full outbox: everything arrives once, nothing lost")
    func outageAndCrash() async throws {
        let moto = try await MotoS3Fixture.start()
        defer { moto.stop() }
        let nodes = try RunTierNodes(moto: moto)
        defer { nodes.remove() }
        var a = try await nodes.start("node-a")
        moto.pause()
        let started = ContinuousClock.now
        for task in 1...3 {
            try await nodes.record(on: a, nodeName: "node-a", flow: "F", run: "r1", step: "s", task: "\(task)", input: "x\(task)")
        }
        #expect(ContinuousClock.now - started < .seconds(30), "recording does not wait for S3")
        #expect((try await nodes.tierStats(a)["outboxDepth"] as? Int ?? 0) >= 3)
        a.kill()
        a = try await nodes.start("node-a")
        defer { a.stop() }
        #expect((try await nodes.tierStats(a)["outboxDepth"] as? Int ?? 0) >= 3, "the outbox survived the crash")
        moto.resume()
        #expect(try await nodes.drained(a, timeout: .seconds(120)))
        let keys = try await nodes.recordKeys()
        #expect(keys.sorted() == (1...3).map { "\(nodes.prefix)/runs/F/r1/s/\($0)/0.json" })
        let b = try await nodes.start("node-b")
        defer { b.stop() }
        let run = try await get(b.url + "/runs/F/r1")
        #expect(((run.json as? [String: Any])?["tasks"] as? [Any])?.count == 3)
    }

    @Test("wrong credentials: a clear error in /stats and the log, records kept; fixed credentials are picked up")
    func wrongCredentials() async throws {
        let moto = try await MotoS3Fixture.start()
        defer { moto.stop() }
        let nodes = try RunTierNodes(moto: moto)
        defer { nodes.remove() }
        try moto.writeCredentials(to: nodes.credentialsFile, secret: "not-the-secret")
        let a = try await nodes.start("node-a")
        defer { a.stop() }
        try await nodes.record(on: a, nodeName: "node-a", flow: "F", run: "r", step: "s", task: "1", input: "x")
        let failing = try await eventually(timeout: .seconds(30), interval: .milliseconds(100)) {
            // The record's PUT names S3's code; the artifact's HEAD (no body) says what to check.
            let error = (try await nodes.tierStats(a)["lastError"] as? String) ?? ""
            return error.contains("403") && (error.contains("SignatureDoesNotMatch") || error.contains("check the credentials"))
        }
        let stats = try await nodes.tierStats(a)
        #expect(failing, "\(stats) \(a.log.suffix(1500))")
        #expect((try await nodes.tierStats(a)["outboxDepth"] as? Int ?? 0) >= 1)
        #expect(a.log.contains("run tier upload failed"))
        try moto.writeCredentials(to: nodes.credentialsFile)
        #expect(try await nodes.drained(a, timeout: .seconds(90)))
        #expect(try await nodes.recordKeys().count == 1)
    }

    @Test("a large artifact goes up as a multipart upload and comes back byte-exact on another node")
    func multipartArtifact() async throws {
        let moto = try await MotoS3Fixture.start()
        defer { moto.stop() }
        let nodes = try RunTierNodes(moto: moto)
        defer { nodes.remove() }
        let a = try await nodes.start("node-a", extra: ["--s3-part-size", "5MiB"])
        let b = try await nodes.start("node-b")
        defer { a.stop(); b.stop() }
        let content = pseudoRandomBytes(23 << 20, seed: 42)
        let put = try await fetch(.init(url: a.url + "/runs/F/r/s/1/artifacts/weights", method: .put,
                                        headers: [("Content-Type", "application/octet-stream")], uploadData: content))
        #expect(put.status == 201)
        #expect(try await nodes.drained(a, timeout: .seconds(120)))
        let hex = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        let objects = try await moto.list(prefix: nodes.prefix + "/blobs/")
        #expect(objects.map(\.key) == ["\(nodes.prefix)/blobs/sha256/\(hex)"])
        #expect(objects.first?.etag.hasSuffix("-5") == true, "5 parts of 5 MiB: \(objects)")
        // Another node has no record naming the artifact yet: read it through a record that does.
        let record = """
        {"schema":"larder.task/v1","flow":"F","run":"r","step":"s","task":"1","attempt":0,
         "start":"2026-12-03T00:00:00Z","end":"2026-12-03T00:00:01Z","durationSeconds":1,"exit":{"status":0},
         "input":{},"requests":{},"limits":{},"node":{"name":"node-a"},"command":["true"],
         "usage":{"avgCores":0.5,"cpuSeconds":0.5,"maxCores":1,"p95Cores":1,"peakMemoryBytes":0,"sampleIntervalSeconds":1,"samples":[]},
         "artifacts":[{"name":"weights","digest":"sha256:\(hex)","size":\(content.count),"mediaType":"application/octet-stream"}]}
        """
        let stored = try await fetch(.init(url: a.url + "/runs/F/r/s/1/record", method: .put, uploadData: Array(record.utf8)))
        #expect(stored.status == 201, "\(String(decoding: stored.body, as: UTF8.self))")
        #expect(try await nodes.drained(a))
        let got = try await get(b.url + "/runs/F/r/s/1/artifacts/weights")
        #expect(got.status == 200)
        #expect(got.body.count == content.count)
        #expect(got.body == content)
    }
}
