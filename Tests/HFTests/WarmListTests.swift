import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

/// `larder serve --warm-file`: the listed references are fetched and pinned from the loopback Hub fixture, the
/// file is re-read when a ConfigMap-style symlink swap changes it, what leaves the list is unpinned, and progress
/// shows in /stats, /metrics and (with --warm-ready) /readyz.
@Suite("Declarative warm list", .serialized, .timeLimit(.minutes(5)))
struct WarmListTests {
    static let files: [String: [UInt8]] = [
        "config.json": Array(#"{"model_type": "whisper"}"#.utf8),
        "model.bin": pseudoRandomBytes(1 << 20, seed: 7),
        "extra.bin": pseudoRandomBytes(2000, seed: 8),
        "sub/vocab.txt": Array("hello\nworld\n".utf8),
    ]

    @Test func keepsTheListWarmAndPinnedAndFollowsChanges() async throws {
        let hub = try await HubFixture.start(files: Self.files)
        defer { hub.stop() }
        let volume = ConfigMapVolume()
        defer { volume.remove() }
        let server = try await LarderTestServer.startHF(upstream: hub.url) {
            $0.core.warmFile = volume.path
            $0.core.warmFilePollInterval = .milliseconds(50)
            $0.core.readyWaitsForWarm = true
        }
        try await server.use {
            // No file yet (the volume is not mounted): waiting, and not ready.
            let early = try await get(server.url("/readyz"))
            #expect(early.status == 503 && String(decoding: early.body, as: UTF8.self).contains("has not been read yet"))

            let extra = BlobDigest(hashing: Self.files["extra.bin"] ?? [])
            let url = "\(hub.url)/cdn/\(extra.hex)#sha256=\(extra.hex)"
            try volume.publish("# what the experiment needs\nhf://fixture/model\n\n\(url)\n")
            let warm = try await waitForState("completed", server)
            #expect(warm.refs == ["hf://fixture/model", url])
            #expect(warm.pinnedBlobs == 4, "\(warm)")
            for (path, content) in Self.files {
                #expect(try server.store.record(BlobDigest(hashing: content))?.pinned == true, "\(path) is pinned")
            }
            #expect(try await get(server.url("/readyz")).status == 200)

            // The ConfigMap changes: only the URL stays. The repository's other files are unpinned; extra.bin is
            // still named (by the URL), so it stays pinned.
            try volume.publish("\(url)\n")
            #expect(await eventually(timeout: .seconds(60), interval: .milliseconds(50)) {
                (try? server.store.record(BlobDigest(hashing: Self.files["model.bin"] ?? [])))??.pinned == false
            })
            let after = try await waitForState("completed", server)
            #expect(after.reloads == 1 && after.refs == [url], "\(after)")
            #expect(after.pinnedBlobs == 1, "\(after)")
            #expect(try server.store.record(extra)?.pinned == true)
            #expect(try server.store.record(BlobDigest(hashing: Self.files["config.json"] ?? []))?.pinned == false)
            let metrics = String(decoding: try await get(server.url("/metrics")).body, as: UTF8.self)
            #expect(metrics.contains("larder_warm_list_pinned_blobs 1"), "\(metrics)")
            #expect(metrics.contains("larder_warm_list_refs{state=\"completed\"} 1"))
            #expect(metrics.contains("larder_warm_list_reloads_total 1"))

            // An empty list unpins the rest; nothing was evicted, the blobs are just evictable again.
            try volume.publish("# nothing for now\n")
            #expect(await eventually(timeout: .seconds(60), interval: .milliseconds(50)) {
                (try? server.store.record(extra))??.pinned == false
            })
            #expect(try await waitForState("completed", server).pinnedBlobs == 0)
            #expect(try server.store.record(extra) != nil)
        }
    }

    @Test func aReferenceThatFailsIsReportedAndTheRestIsWarmed() async throws {
        let hub = try await HubFixture.start(files: Self.files)
        defer { hub.stop() }
        let volume = ConfigMapVolume()
        defer { volume.remove() }
        try volume.publish("hf://fixture/model\nhf://fixture/unknown\nftp://example.com/x\n")
        let server = try await LarderTestServer.startHF(upstream: hub.url) {
            $0.core.warmFile = volume.path
            $0.core.warmFilePollInterval = .milliseconds(50)
        }
        try await server.use {
            let status = try await waitForState("failed", server)
            let failed = status.job?.refs.filter { $0.state == "failed" }.map(\.ref)
            #expect(failed == ["hf://fixture/unknown", "ftp://example.com/x"], "\(status)")
            #expect(status.pinnedBlobs == 4, "the good reference is warm and pinned anyway: \(status)")
            #expect(try await get(server.url("/readyz")).status == 200, "without --warm-ready a failed list does not make the node unready")
        }
    }

    /// Polls /stats until the warm list reaches `state`, and returns it.
    private func waitForState(_ state: String, _ server: LarderTestServer) async throws -> WarmListStatus {
        var last: WarmListStatus?
        let reached = await eventually(timeout: .seconds(90), interval: .milliseconds(50)) {
            guard let stats = try? await get(server.url("/stats")).json as? [String: Any],
                  let list = stats["warmList"], let data = try? JSONSerialization.data(withJSONObject: list),
                  let status = try? JSONDecoder().decode(WarmListStatus.self, from: data) else { return false }
            last = status
            return status.state == state
        }
        try #require(reached, "the warm list did not reach \(state): \(String(describing: last))")
        return try #require(last)
    }
}

/// A directory laid out like a Kubernetes ConfigMap or Secret volume: `refs.txt -> ..data/refs.txt`,
/// `..data -> ..N`, updated by writing a new `..N` and renaming a new `..data` symlink over the old one (an atomic
/// swap): the file's own path is a symlink that never changes.
struct ConfigMapVolume {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warm-volume-\(UUID().uuidString)").path
    var name = "refs.txt"
    var path: String { directory + "/" + name }

    func publish(_ text: String) throws {
        let version = "..\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/" + version, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + version + "/" + name))
        let temporary = directory + "/..data_tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: version)
        guard rename(temporary, directory + "/..data") == 0 else { throw FixtureError("cannot swap ..data") }
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil {
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "..data/" + name)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
