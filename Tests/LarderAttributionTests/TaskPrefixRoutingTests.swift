import Foundation
import LarderAPI
import LarderCore
import LarderStore
import LarderTestSupport
import RunModel
import Testing
import Upstream

/// Registers a task over HTTP and returns its receipt.
func registerTask(_ server: LarderTestServer, run: String = "1", task: String = "1") async throws -> TaskTokenReceipt {
    let answer = try await fetch(UpstreamRequest(url: server.url("/runs/F/\(run)/train/\(task)/fetches?attempt=0"), method: .post))
    #expect(answer.status == 201, "\(String(decoding: answer.body, as: UTF8.self))")
    return try JSONDecoder().decode(TaskTokenReceipt.self, from: Data(answer.body))
}

/// Collects a task's fetches over HTTP.
func collectTask(_ server: LarderTestServer, _ receipt: TaskTokenReceipt, run: String = "1", task: String = "1") async throws -> TaskFetches {
    let answer = try await fetch(UpstreamRequest(url: server.url("/runs/F/\(run)/train/\(task)/fetches/\(receipt.token)"), method: .delete))
    #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
    return try JSONDecoder().decode(TaskFetches.self, from: Data(answer.body))
}

@Suite("/t/<token>/ routing and capture", .serialized, .timeLimit(.minutes(5)))
struct TaskPrefixRoutingTests {
    @Test("objects served below a task's prefix are listed with bytes, outcome and upstream bytes; HEAD and plain paths are not")
    func capture() async throws {
        let upstream = try await UpstreamFixture.start(bigSize: 1 << 20)
        defer { upstream.stop() }
        let server = try await LarderTestServer.start()
        try await server.use {
            let receipt = try await registerTask(server)
            #expect(receipt.prefix == "/t/" + receipt.token)
            let path = server.fetchPath(upstream.url("/files/big.bin"))
            let miss = try await get(server.url(receipt.prefix + path))
            #expect(miss.status == 200 && miss.body == upstream.big && miss.header("X-Larder-Cache") == "miss")
            let hit = try await get(server.url(receipt.prefix + path))
            #expect(hit.status == 200 && hit.body == upstream.big && hit.header("X-Larder-Cache") == "hit")
            let partial = try await get(server.url(receipt.prefix + path), headers: [(name: "Range", value: "bytes=0-99")])
            #expect(partial.status == 206 && partial.body.count == 100)
            _ = try await head(server.url(receipt.prefix + path))
            _ = try await get(server.url(path))  // not through the prefix: not the task's
            let digest = BlobDigest(hashing: upstream.big)
            let blob = try await get(server.url(receipt.prefix + "/blobs/\(digest)"))
            #expect(blob.status == 200 && blob.body == upstream.big)

            let fetches = try await collectTask(server, receipt)
            #expect(fetches.objects == 4)
            #expect(fetches.items.map(\.outcome) == [.miss, .hit, .hit, .hit])
            #expect(fetches.items.map(\.bytes) == [Int64(upstream.big.count), Int64(upstream.big.count), 100, Int64(upstream.big.count)])
            #expect(fetches.upstreamBytes == Int64(upstream.big.count))
            #expect(fetches.items.first?.upstreamBytes == Int64(upstream.big.count))
            #expect(fetches.items.prefix(3).allSatisfy { $0.ref == upstream.url("/files/big.bin") })
            #expect(fetches.items.last?.ref == digest.description)
            #expect(fetches.items.allSatisfy { $0.digest == digest.description })
            #expect(fetches.items.allSatisfy { $0.firstByteSeconds >= 0 && $0.firstByteSeconds <= $0.seconds })
            #expect(fetches.byOutcome[.hit]?.objects == 3 && fetches.byOutcome[.miss]?.objects == 1)

            // Collected: the registration is gone, and its prefix with it.
            let again = try await fetch(UpstreamRequest(url: server.url("/runs/F/1/train/1/fetches/\(receipt.token)"), method: .delete))
            #expect(again.status == 404 && again.errorCode == "unknown_task_token")
            let gone = try await get(server.url(receipt.prefix + path))
            #expect(gone.status == 404 && gone.errorCode == "unknown_task_token")
        }
    }

    @Test("hostile and unknown tokens and task paths are answered 4xx with a JSON body naming the problem")
    func hostile() async throws {
        let server = try await LarderTestServer.start()
        try await server.use {
            let receipt = try await registerTask(server)
            let unknown = String(repeating: "0", count: 32)
            let cases: [(path: String, status: Int, code: String)] = [
                ("/t/\(unknown)/fetch?url=http://127.0.0.1:1/x", 404, "unknown_task_token"),
                ("/t/%2e%2e/fetch", 404, "unknown_task_token"),
                ("/t/" + String(repeating: "f", count: 5000) + "/hf", 404, "unknown_task_token"),
                ("/t/\(receipt.token.uppercased())/metrics", 404, "unknown_task_token"),
                ("/t//fetch", 404, "unknown_task_token"),
                ("/t", 404, "not_found"),
                ("/t/", 404, "not_found"),
                ("/t/\(receipt.token)", 404, "not_found"),
                ("/t/\(receipt.token)?x=1", 404, "not_found"),
                ("/t/\(receipt.token)/no/such/route", 404, "not_found"),
                ("/t/\(receipt.token)/fetch", 400, "missing_url"),
            ]
            for item in cases {
                let answer = try await get(server.url(item.path))
                #expect(answer.status == item.status && answer.errorCode == item.code,
                        "\(item.path.prefix(80)): \(answer.status) \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
                #expect(answer.header("Content-Type") == "application/json", "\(item.path.prefix(80))")
            }
            let named = try await get(server.url("/t/\(unknown)/metrics"))
            #expect(String(decoding: named.body, as: UTF8.self).contains(unknown))
            for bad in ["/runs/F/1/train/1/fetches?attempt=-1", "/runs/F/1/train/1/fetches?attempt=x", "/runs/F/%ZZ/train/1/fetches",
                        "/runs/F/a%2Fb/train/1/fetches"] {
                let answer = try await fetch(UpstreamRequest(url: server.url(bad), method: .post))
                #expect(answer.status == 400 && answer.errorCode != nil, "\(bad): \(answer.status)")
            }
            // Another task's token does not collect this one.
            let other = try await fetch(UpstreamRequest(url: server.url("/runs/F/1/train/2/fetches/\(receipt.token)"), method: .delete))
            #expect(other.status == 404 && other.errorCode == "unknown_task_token")
            _ = try await collectTask(server, receipt)
        }
    }

    @Test("a task started inside another (nested prefixes) has its fetches attributed to itself, not to its parent")
    func nested() async throws {
        let upstream = try await UpstreamFixture.start(bigSize: 1 << 16)
        defer { upstream.stop() }
        let server = try await LarderTestServer.start()
        try await server.use {
            let parent = try await registerTask(server, task: "1")
            let child = try await registerTask(server, task: "2")
            let answer = try await get(server.url(parent.prefix + child.prefix + server.fetchPath(upstream.url("/files/small.bin"))))
            #expect(answer.status == 200 && answer.body == upstream.small)
            #expect(try await collectTask(server, child, task: "2").objects == 1)
            #expect(try await collectTask(server, parent, task: "1").objects == 0)
        }
    }

    @Test("POST /warm with fromRun: a malformed run, an unknown run or step, a run without fetches are 4xx JSON")
    func warmFromRunRefusals() async throws {
        let server = try await LarderTestServer.start()
        try await server.use {
            let bare = TaskRecord(identity: try TaskIdentity(flow: "F", run: "plain", step: "train", task: "1"), node: NodeDescription(name: "n"),
                                  start: Date(), end: Date(), durationSeconds: 1, exit: ExitOutcome(status: 0),
                                  usage: ResourceUsage(cpuSeconds: 0, avgCores: 0, p95Cores: 0, maxCores: 0, peakMemoryBytes: 0,
                                                       samples: [], sampleIntervalSeconds: 1),
                                  command: ["true"])
            let put = try await fetch(UpstreamRequest(url: server.url("/runs/F/plain/train/1/record"), method: .put,
                                                      headers: [(name: "Content-Type", value: "application/json")],
                                                      uploadData: Array(try bare.encoded())))
            #expect(put.status == 201)
            let cases: [(body: String, status: Int, code: String)] = [
                (#"{"fromRun": "F"}"#, 400, "invalid_from_run"),
                (#"{"fromRun": "F/../x"}"#, 400, "invalid_from_run"),
                (#"{"fromRun": "F/none"}"#, 404, "run_not_found"),
                (#"{"fromRun": "F/plain", "step": "other"}"#, 404, "step_not_found"),
                (#"{"fromRun": "F/plain"}"#, 404, "no_recorded_fetches"),
                (#"{"pin": true}"#, 400, "invalid_warm_request"),
            ]
            for item in cases {
                let answer = try await fetch(UpstreamRequest(url: server.url("/warm"), method: .post,
                                                             headers: [(name: "Content-Type", value: "application/json")],
                                                             uploadData: Array(item.body.utf8)))
                #expect(answer.status == item.status && answer.errorCode == item.code,
                        "\(item.body): \(answer.status) \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
            }
            #expect(server.services.hf.warmJobs.all.isEmpty)
        }
    }

    @Test("a write below a task prefix needs the same authorisation as without it")
    func sameAuthorisation() async throws {
        let server = try await LarderTestServer.start { $0.core.writeAccess.readOnly = true }
        try await server.use {
            let registration = server.services.attribution.register(try TaskIdentity(flow: "F", run: "1", step: "s", task: "1"))
            let plain = try await fetch(UpstreamRequest(url: server.url("/blobs"), method: .post, uploadData: Array("x".utf8)))
            let prefixed = try await fetch(UpstreamRequest(url: server.url("/t/\(registration.token)/blobs"), method: .post,
                                                           uploadData: Array("x".utf8)))
            #expect(plain.status >= 400 && plain.status < 500)
            #expect(prefixed.status == plain.status && prefixed.errorCode == plain.errorCode)
            #expect(try server.store.record(BlobDigest(hashing: Array("x".utf8))) == nil)
        }
    }
}
