import Foundation
import LarderTestSupport
import Testing

/// Runs in the S3 run tier read by `runcmp` with no Larder at all, and retention applied to the whole tier.
@Suite("S3 run tier: runcmp from the archive, retention", .serialized)
struct RunArchiveTests {
    /// `runcmp` arguments that reach the test's moto.
    static func s3Options(_ moto: MotoS3Fixture, credentials: String) -> [String] {
        ["--s3-endpoint", moto.endpoint, "--s3-path-style", "--s3-credentials-file", credentials]
    }

    @Test("runcmp diff s3://… reads whole runs straight from S3; a damaged artifact copy is not used; errors are sentences")
    func runcmpReadsTheArchive() async throws {
        let moto = try await MotoS3Fixture.start()
        defer { moto.stop() }
        let nodes = try RunTierNodes(moto: moto)
        defer { nodes.remove() }
        let a = try await nodes.start("node-a")
        let b = try await nodes.start("node-b")
        for run in ["1", "2"] {
            for task in 1...4 {
                try await nodes.record(on: task <= 2 ? a : b, nodeName: task <= 2 ? "node-a" : "node-b", flow: "Whisper", run: run,
                                       step: "transcribe", task: "\(task)", input: "v\(task)",
                                       text: run == "1" ? "the cat sat on the mat \(task)" : "the cat sat on a mat \(task)")
            }
        }
        #expect(try await nodes.drained(a))
        #expect(try await nodes.drained(b))
        // No Larder is running from here on.
        a.stop()
        b.stop()

        let base = "s3://\(moto.bucket)/\(nodes.prefix)/Whisper/"
        let options = Self.s3Options(moto, credentials: nodes.credentialsFile)
        let runcmp = BuiltExecutable.path("runcmp")
        let diff = try await ProcessRunner.run(runcmp, ["diff", base + "1", base + "2", "--format", "json"] + options)
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(!diff.stderr.contains("upstream transfer"), "one log line per S3 request on stderr: \(diff.stderr.prefix(300))")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])
        let artifacts = try #require((report["outputs"] as? [String: Any])?["artifacts"] as? [[String: Any]])
        #expect(artifacts.count == 4)
        // Every transcript was read from S3 and compared word by word: one substitution in seven words.
        for artifact in artifacts {
            #expect(artifact["status"] as? String == "text", "\(artifact)")
            let wer = (artifact["measures"] as? [String: Any])?["wer"] as? Double
            #expect(wer.map { abs($0 - 1.0 / 7.0) < 1e-6 } == true, "\(artifact)")
        }
        #expect(diff.stdout.contains("node-a") && diff.stdout.contains("node-b"), "placement on both nodes")

        // A copy in S3 that does not match its digest is not used: that transcript is unavailable, the rest compare.
        let damaged = try #require(artifacts.first?["digestB"] as? String)
        try await moto.put(key: "\(nodes.prefix)/blobs/sha256/\(damaged.dropFirst(7))", bytes: Data("the dog ate my homework\n".utf8))
        let again = try await ProcessRunner.run(runcmp, ["diff", base + "1", base + "2", "--format", "json"] + options)
        #expect(again.status == 0, "\(again.stderr)")
        let statuses = ((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["outputs"] as? [String: Any])?["artifacts"] as? [[String: Any]] ?? []
        #expect(statuses.compactMap { $0["status"] as? String }.sorted() == ["text", "text", "text", "unavailable"])

        // `runcmp show` reads the archive too.
        let show = try await ProcessRunner.run(runcmp, ["show", base + "2"] + options)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("node-a") && show.stdout.contains("node-b"))

        // Errors: one sentence each, exit status 2.
        let missing = try await ProcessRunner.run(runcmp, ["show", base + "9"] + options)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no tasks recorded for Whisper/9"), "\(missing.stderr)")
        let malformed = try await ProcessRunner.run(runcmp, ["show", "s3://\(moto.bucket)/Whisper"] + options)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("s3://BUCKET[/PREFIX]/FLOW/RUN"), "\(malformed.stderr)")
        let wrongKeys = nodes.scratch + "/wrong-credentials"
        try moto.writeCredentials(to: wrongKeys, secret: "not-the-secret")
        let refused = try await ProcessRunner.run(runcmp, ["show", base + "2"] + Self.s3Options(moto, credentials: wrongKeys))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("SignatureDoesNotMatch") || refused.stderr.contains("403"), "\(refused.stderr)")
        let noCredentials = try await ProcessRunner.run(runcmp, ["show", base + "2", "--s3-endpoint", moto.endpoint, "--s3-path-style"],
                                                        unsetting: ["AWS_*"])
        #expect(noCredentials.status == 2)
        #expect(noCredentials.stderr.contains("AWS_ACCESS_KEY_ID"), "\(noCredentials.stderr)")
    }

    @Test("--keep-runs applies to the whole tier: runs recorded only on another node are removed from S3 too")
    func retentionAcrossNodes() async throws {
        let moto = try await MotoS3Fixture.start()
        defer { moto.stop() }
        let nodes = try RunTierNodes(moto: moto)
        defer { nodes.remove() }
        let a = try await nodes.start("node-a", extra: ["--keep-runs", "2"])
        let b = try await nodes.start("node-b", extra: ["--keep-runs", "2"])
        defer { a.stop(); b.stop() }

        func runs(on node: LarderServeProcess) async throws -> [String] {
            let listing = try await get(node.url + "/runs/F")
            return ((listing.json as? [String: Any])?["runs"] as? [[String: Any]] ?? []).compactMap { $0["run"] as? String }
        }
        func runsInS3() async throws -> Set<String> {
            Set(try await nodes.recordKeys().compactMap { $0.split(separator: "/").dropFirst(3).first.map(String.init) })
        }
        for run in ["1", "2"] {
            try await nodes.record(on: a, nodeName: "node-a", flow: "F", run: run, step: "s", task: "1", input: "x")
        }
        #expect(try await nodes.drained(a))
        #expect(try await runsInS3() == ["1", "2"])

        // Node B records a third run: run 1, which B never stored, goes from S3.
        try await nodes.record(on: b, nodeName: "node-b", flow: "F", run: "3", step: "s", task: "1", input: "x")
        #expect(try await nodes.drained(b))
        #expect(try await runsInS3() == ["2", "3"])
        #expect(try await runs(on: b) == ["2", "3"])

        // Node A records a fourth: its own local runs 1 and 2 go, here and in S3.
        try await nodes.record(on: a, nodeName: "node-a", flow: "F", run: "4", step: "s", task: "1", input: "x")
        #expect(try await nodes.drained(a))
        #expect(try await runsInS3() == ["3", "4"])
        #expect(try await runs(on: a) == ["3", "4"])
        #expect(try await runs(on: b) == ["3", "4"])
    }
}
