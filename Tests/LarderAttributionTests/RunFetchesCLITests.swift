import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import RunModel
import Testing
import Upstream

/// `larder run` in a child process, with Larder's and the Hub client's variables cleared (the test sets its own).
func larderRun(server: String, run: String, spool: String, environment: [String: String] = [:], _ command: [String]) async throws -> ProcessOutcome {
    try await ProcessRunner.run(BuiltExecutable.larder,
                                ["run", "--server", server, "--flow", "F", "--run", run, "--step", "train", "--task", "1",
                                 "--spool", spool, "--"] + command,
                                environment: environment, unsetting: ["LARDER_*", "HF_*"], timeout: .seconds(300))
}

/// The record of task `F/<run>/train/1` on `server`.
func storedRecord(_ server: LarderTestServer, run: String) async throws -> TaskRecord {
    let answer = try await get(server.url("/runs/F/\(run)/train/1/record"))
    #expect(answer.status == 200, "\(String(decoding: answer.body.prefix(500), as: UTF8.self))")
    return try TaskRecord.decode(Data(answer.body))
}

@Suite("larder run records what the task fetched; larder warm --from-run warms it", .serialized, .timeLimit(.minutes(10)))
struct RunFetchesCLITests {
    @Test("curl /fetch under larder run: a miss, then a hit, seconds as curl waited; warm --from-run fetches exactly that set")
    func curlThroughLarderRun() async throws {
        let upstream = try await UpstreamFixture.start(bigSize: 1 << 20)
        defer { upstream.stop() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("larder-fetchrec-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // Throttled to ~1 s so that the wait is large against scheduling noise.
        let source = upstream.url("/slow/big.bin?rate=1000000")
        let server = try await LarderTestServer.start()
        try await server.use {
            func curlUnderRun(_ run: String, on server: LarderTestServer) async throws -> (record: TaskRecord, waited: Double) {
                let timing = "\(work)/\(run).time"
                let script = "curl -sS -f -o /dev/null -w '%{time_total}' \"$LARDER_SERVER\(server.fetchPath(source))\" > \(timing)"
                let outcome = try await larderRun(server: server.base, run: run, spool: work + "/spool", ["/bin/sh", "-c", script])
                #expect(outcome.status == 0, "\(outcome.stderr)")
                let waited = Double(try String(contentsOfFile: timing, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                return (try await storedRecord(server, run: run), waited)
            }

            let (first, waited) = try await curlUnderRun("r1", on: server)
            let fetches = try #require(first.fetches, "the record has no fetches")
            #expect(fetches.objects == 1 && fetches.items.count == 1)
            let item = try #require(fetches.items.first)
            #expect(item.outcome == .miss && item.ref == source)
            #expect(item.bytes == Int64(upstream.big.count) && item.upstreamBytes == Int64(upstream.big.count))
            #expect(item.digest == BlobDigest(hashing: upstream.big).description)
            // The server's clock runs from the request's arrival to its last byte; curl's from before it connected
            // until it read that byte.
            #expect(waited > 0.5, "the throttled transfer took \(waited) s")
            #expect(abs(fetches.seconds - waited) <= max(0.25, 0.15 * waited), "recorded \(fetches.seconds) s, curl waited \(waited) s")
            #expect(item.firstByteSeconds <= item.seconds)

            let (second, _) = try await curlUnderRun("r2", on: server)
            let hit = try #require(second.fetches?.items.first)
            #expect(second.fetches?.objects == 1 && hit.outcome == .hit && hit.upstreamBytes == 0 && hit.bytes == Int64(upstream.big.count))
            #expect(second.fetches?.byOutcome.keys.sorted() == [.hit])

            // A fresh node that knows the run (its record, as the S3 run tier would show it) warms exactly its set.
            let fresh = try await LarderTestServer.start()
            try await fresh.use {
                let put = try await fetch(UpstreamRequest(url: fresh.url("/runs/F/r1/train/1/record"), method: .put,
                                                          headers: [(name: "Content-Type", value: "application/json")],
                                                          uploadData: Array(try first.encoded())))
                #expect(put.status == 201)
                let before = try upstream.requests(to: "/slow/big.bin?rate=1000000").count
                let warm = try await ProcessRunner.run(BuiltExecutable.larder, ["warm", "--server", fresh.base, "--from-run", "F/r1", "--pin", "--json"],
                                                       unsetting: ["LARDER_*", "HF_*"], timeout: .seconds(120))
                #expect(warm.status == 0, "\(warm.stderr)\(warm.stdout)")
                let status = try JSONDecoder().decode(WarmStatus.self, from: Data(warm.stdout.utf8))
                #expect(status.refs.map(\.ref) == [source])
                #expect(try upstream.requests(to: "/slow/big.bin?rate=1000000").count == before + 1)
                #expect(try fresh.store.record(BlobDigest(hashing: upstream.big))?.pinned == true)

                let (after, _) = try await curlUnderRun("r3", on: fresh)
                #expect(after.fetches?.items.map(\.outcome) == [.hit])
                #expect(after.fetches?.upstreamBytes == 0)
                #expect(try upstream.requests(to: "/slow/big.bin?rate=1000000").count == before + 1)

                let missing = try await ProcessRunner.run(BuiltExecutable.larder, ["warm", "--server", fresh.base, "--from-run", "F/nope"],
                                                          unsetting: ["LARDER_*", "HF_*"], timeout: .seconds(60))
                #expect(missing.status != 0 && missing.stderr.contains("F/nope"), "\(missing.stderr)")
                let badStep = try await ProcessRunner.run(BuiltExecutable.larder,
                                                          ["warm", "--server", fresh.base, "--from-run", "F/r1", "--step", "other"],
                                                          unsetting: ["LARDER_*", "HF_*"], timeout: .seconds(60))
                #expect(badStep.status != 0 && badStep.stderr.contains("train"), "\(badStep.stderr)")
            }
        }
    }

    @Test("an unreachable server: the command runs, its record is spooled without fetches, and nothing else is said")
    func unreachableServer() async throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("larder-fetchrec-spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let closed = "http://127.0.0.1:\(try RawHTTP.closedPort())"
        let outcome = try await larderRun(server: closed, run: "r9", spool: spool, ["/bin/sh", "-c", "echo \"server=$LARDER_SERVER\""])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("server=\n") || outcome.stdout == "server=\n", "LARDER_SERVER was set: \(outcome.stdout)")
        #expect(!outcome.stderr.contains("attributed"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("spooled"), "\(outcome.stderr)")
    }
}
