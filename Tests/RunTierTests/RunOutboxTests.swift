import Foundation
import LarderAPI
import LarderCore
import LarderStore
import LarderTestSupport
import RunArchive
import RunFixtures
import RunModel
import Testing

@Suite("The run store's durable outbox and the tier's parsing")
struct RunOutboxTests {
    static func openStore(_ directory: String, outbox: Bool) throws -> BlobStore {
        var configuration = StoreConfiguration(directory: directory, maxSize: 64 << 20)
        configuration.runOutbox = outbox
        return try BlobStore(configuration)
    }

    @Test("records, artifacts and removed runs are queued with the change, in order, and survive a reopen")
    func queuedWithTheChange() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (runA, _) = try ExampleRuns.whisper()
        var store: BlobStore? = try Self.openStore(directory, outbox: true)
        let record = try #require(runA.tasks.first)
        try await store?.putTaskRecord(record)
        let blob = try #require(try await store?.put(Array("transcript".utf8)))
        try await store?.putArtifact(ArtifactReference(name: "t", digest: blob.digest.description, size: blob.size, mediaType: "text/plain"),
                                     flow: runA.flow, run: runA.run, step: record.identity.step, task: record.identity.task)
        _ = try await store?.removeRun(flow: runA.flow, run: runA.run)
        store?.close()
        store = nil

        let reopened = try Self.openStore(directory, outbox: true)
        defer { reopened.close() }
        let queued = try reopened.outboxEntries(limit: 10)
        #expect(queued.map(\.entry.change) == [.record, .blob, .removeRun])
        #expect(queued.first?.entry.path == [runA.flow, runA.run, record.identity.step, record.identity.task])
        #expect(queued[1].entry.digest == blob.digest.description)
        #expect(queued.map(\.sequence) == queued.map(\.sequence).sorted())
        #expect(try reopened.outboxStatus().depth == 3)
        try await reopened.removeOutboxEntry(queued[0].sequence)
        #expect(try reopened.outboxEntries(limit: 10).map(\.entry.change) == [.blob, .removeRun])
    }

    @Test("without a run tier nothing is queued")
    func offQueuesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try Self.openStore(directory, outbox: false)
        defer { store.close() }
        let (runA, _) = try ExampleRuns.whisper()
        try await store.putTaskRecord(try #require(runA.tasks.first))
        #expect(try store.outboxStatus().depth == 0)
    }

    @Test("s3:// locations", arguments: [
        ("s3://larder-runs/team/a", "larder-runs", "team/a"), ("s3://runs.example", "runs.example", ""),
        ("s3://abc//x//", "abc", "x"),
    ])
    func locations(text: String, bucket: String, prefix: String) throws {
        let location = try #require(S3Location(parsing: text))
        #expect(location.bucket == bucket)
        #expect(location.prefix == prefix)
    }

    @Test("bad s3:// locations are refused", arguments: ["larder-runs/x", "s3://", "s3://UPPER/x", "s3://ab", "s3://-bad/x", "https://b/x"])
    func badLocations(text: String) {
        #expect(S3Location(parsing: text) == nil)
    }

    @Test("credentials files: the profile's keys, re-read when the file changes; a missing key is a clear error")
    func credentialsFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "[other]\naws_access_key_id = X\naws_secret_access_key = Y\n[default]\n# comment\naws_access_key_id=AK1\naws_secret_access_key = S1\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let source = S3CredentialSource(file: path, environment: [:])
        #expect(try source.current().accessKeyID == "AK1")
        #expect(try source.current().secretAccessKey == "S1")
        try "[default]\naws_access_key_id = AK2\naws_secret_access_key = S2\naws_session_token = T\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try source.current().accessKeyID == "AK2")
        #expect(try source.current().sessionToken == "T")
        try "[default]\naws_access_key_id = AK3\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: S3Failure.self) { try source.current() }
        let fromEnvironment = S3CredentialSource(file: nil, environment: ["AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "F"])
        #expect(try fromEnvironment.current().accessKeyID == "E")
        #expect(throws: S3Failure.self) { try S3CredentialSource(file: nil, environment: [:]).current() }
    }

    @Test("larder serve refuses bad run tier options with a sentence")
    func badServeOptions() async throws {
        for (arguments, expected) in [
            (["--runs-s3", "bucket/x"], "--runs-s3 bucket/x is not s3://BUCKET"),
            (["--runs-s3", "s3://b-1/x", "--s3-endpoint", "localhost:9000"], "is not an http(s) URL"),
            (["--runs-s3", "s3://b-1/x", "--s3-part-size", "1MiB"], "between 5MiB and 5GiB"),
            (["--s3-endpoint", "http://127.0.0.1:9"], "need --runs-s3"),
        ] {
            let outcome = try await ProcessRunner.run(BuiltExecutable.larder, ["serve", "--listen", "127.0.0.1:0"] + arguments, timeout: .seconds(30))
            #expect(outcome.status != 0)
            #expect(outcome.stderr.contains(expected), "\(arguments): \(outcome.stderr)")
        }
    }
}
