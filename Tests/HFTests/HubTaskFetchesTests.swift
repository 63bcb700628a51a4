import Foundation
import LarderAPI
import LarderTestSupport
import RunModel
import Testing
import Upstream

/// `snapshot_download` under `larder run`: the task's record lists what the Hub client was served (issue 15).
@Suite("The real huggingface_hub client under larder run: fetches in the record, warm --from-run", .serialized, .timeLimit(.minutes(10)))
struct HubTaskFetchesTests {
    /// `larder run … -- python hub_client.py snapshot <repo>` against `server` with a fresh `HF_HOME`.
    func snapshotUnderRun(_ server: LarderTestServer, run: String) async throws -> (record: TaskRecord, wall: Double) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("hf-home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let script = FixtureProcess.script("hub_client.py", besides: #filePath)
        let outcome = try await LarderCLI.run(
            ["run", "--server", server.base, "--flow", "HubFlow", "--run", run, "--step", "load", "--task", "1", "--spool", home + "/spool",
             "--", try HFVenv.python(), script, "snapshot", TinyModel.repo],
            environment: ["HF_ENDPOINT": server.endpoint, "HF_HOME": home, "HF_HUB_DISABLE_TELEMETRY": "1",
                          "HF_HUB_DISABLE_PROGRESS_BARS": "1"])
        #expect(outcome.status == 0, "\(outcome.stderr.suffix(3000))")
        let answer = try await get(server.url("/runs/HubFlow/\(run)/load/1/record"))
        #expect(answer.status == 200)
        return (try TaskRecord.decode(Data(answer.body)), outcome.seconds)
    }

    @Test func snapshotDownloadIsRecordedAndWarmFromRunReplaysIt() async throws {
        let model = try TinyModel.load()
        let upstream = try await LarderTestServer.startHF()
        try await upstream.use {
            try await model.importInto(upstream)
            let mirror = try await LarderTestServer.startHF(upstream: upstream.endpoint)
            try await mirror.use {
                let (first, wall) = try await snapshotUnderRun(mirror, run: "1")
                let fetches = try #require(first.fetches, "the record has no fetches")
                #expect(Set(fetches.items.compactMap(\.path)) == Set(TinyModel.names))
                #expect(fetches.items.allSatisfy { $0.ref == "hf://\(TinyModel.repo)@\(TinyModel.revision)" }, "\(fetches.items.map(\.ref))")
                #expect(fetches.items.allSatisfy { $0.outcome == .miss }, "\(fetches.items.map(\.outcome))")
                #expect(fetches.bytes == model.totalSize && fetches.upstreamBytes == model.totalSize)
                for item in fetches.items {
                    let path = try #require(item.path)
                    let size = (try FileManager.default.attributesOfItem(atPath: model.directory + "/" + path)[.size] as? NSNumber)?.int64Value
                    #expect(item.bytes == size, "\(path)")
                }
                // The client waited at least the recorded seconds; the rest of the command's time is Python starting up.
                #expect(fetches.seconds > 0 && fetches.seconds <= wall, "fetching \(fetches.seconds) s of a \(wall) s command")

                let (second, _) = try await snapshotUnderRun(mirror, run: "2")
                #expect(second.fetches?.objects == 4)
                #expect(second.fetches?.items.allSatisfy { $0.outcome == .hit } == true)
                #expect(second.fetches?.upstreamBytes == 0)

                let fresh = try await LarderTestServer.startHF(upstream: upstream.endpoint)
                try await fresh.use {
                    let put = try await fetch(UpstreamRequest(url: fresh.url("/runs/HubFlow/1/load/1/record"), method: .put,
                                                              headers: [(name: "Content-Type", value: "application/json")],
                                                              uploadData: Array(try first.encoded())))
                    #expect(put.status == 201)
                    let served = try await upstream.metric("larder_served_bytes_total")
                    let warm = try await LarderCLI.run(["warm", "--server", fresh.base, "--from-run", "HubFlow/1", "--step", "load", "--json"])
                    #expect(warm.status == 0, "\(warm.stderr)\(warm.stdout)")
                    let status = try JSONDecoder().decode(WarmStatus.self, from: Data(warm.stdout.utf8))
                    #expect(status.refs.map(\.ref) == ["hf://\(TinyModel.repo)@\(TinyModel.revision)"])
                    #expect(status.refs.first?.files == 4)
                    #expect(try await upstream.metric("larder_served_bytes_total") == served + Double(model.totalSize))

                    let (third, _) = try await snapshotUnderRun(fresh, run: "3")
                    #expect(third.fetches?.objects == 4)
                    #expect(third.fetches?.items.allSatisfy { $0.outcome == .hit } == true, "\(third.fetches?.items.map(\.outcome) ?? [])")
                    #expect(try await upstream.metric("larder_served_bytes_total") == served + Double(model.totalSize))
                }
                try await warmLocally(first, upstream: upstream, model: model)
            }
        }
    }

    /// `larder warm --data DIR --from-run` on a data directory no server uses: reads that directory's runs and fetches
    /// the run's files from the Hub upstream.
    func warmLocally(_ record: TaskRecord, upstream: LarderTestServer, model: TinyModel) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-local-warm-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serve = try await LarderServeProcess.start(directory: directory)
        let put = try await fetch(UpstreamRequest(url: serve.url + "/runs/HubFlow/1/load/1/record", method: .put,
                                                  headers: [(name: "Content-Type", value: "application/json")],
                                                  uploadData: Array(try record.encoded())))
        #expect(put.status == 201)
        serve.stop()
        #expect(await serve.waitForExit(within: .seconds(30)))
        let served = try await upstream.metric("larder_served_bytes_total")
        let warm = try await LarderCLI.run(["warm", "--data", directory, "--hf-upstream", upstream.endpoint, "--from-run", "HubFlow/1", "--json"])
        #expect(warm.status == 0, "\(warm.stderr)\(warm.stdout)")
        let status = try JSONDecoder().decode(WarmStatus.self, from: Data(warm.stdout.utf8))
        #expect(status.refs.map(\.ref) == ["hf://\(TinyModel.repo)@\(TinyModel.revision)"] && status.refs.first?.files == 4)
        #expect(try await upstream.metric("larder_served_bytes_total") == served + Double(model.totalSize))
    }
}
