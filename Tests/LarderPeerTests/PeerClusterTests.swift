import Foundation
import LarderCore
import LarderTestSupport
import Testing

/// Clusters of real `larder serve` processes on loopback with one upstream fixture (issue 14's tests).
@Suite(.serialized) struct PeerClusterTests {
    @Test func fourNodesAskingForOneLargeObjectAtOnceMakeOneUpstreamTransfer() async throws {
        let size = 256 << 20
        let bytes = UpstreamFixture.randomBytes(size)
        let sha = sha256Hex(bytes)
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: ["peer-256.bin": bytes])
        defer { upstream.stop() }
        let cluster = try await PeerCluster.start(count: 4)
        defer { cluster.stop() }
        let url = upstream.url("/files/peer-256.bin")

        let results = try await withThrowingTaskGroup(of: StreamedFetch.self) { group in
            for node in cluster.nodes {
                group.addTask { try await streamedGet(fetchURL(node, url, sha256: sha)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for result in results {
            #expect(result.status == 200)
            #expect(result.error == nil)
            #expect(result.count == Int64(size))
            #expect(result.sha256 == sha)
        }
        let transfers = try upstream.requests(to: "/files/peer-256.bin").filter { $0.method == "GET" }
        #expect(transfers.count == 1, "the upstream saw \(transfers.count) transfers")
        // Every node but the owner filled from the owner; the owner's own client started or joined its fill.
        #expect(results.filter { $0.cache == "peer" }.count == 3, "\(results.map { $0.cache ?? "none" })")
        for node in cluster.nodes {
            #expect(try await node.holds("sha256:" + sha), "\(node.address) holds no verified copy")
        }
    }

    @Test func theOwnerKilledMidTransferHandsOverToTheNextOwnerWithCorrectBytes() async throws {
        let size = 24 << 20
        let bytes = UpstreamFixture.randomBytes(size)
        let sha = sha256Hex(bytes)
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: ["peer-kill.bin": bytes])
        defer { upstream.stop() }
        let cluster = try await PeerCluster.start(count: 3)
        defer { cluster.stop() }
        let ranked = cluster.ranked("sha256:" + sha)
        let (owner, asker) = (ranked[0], ranked[2])
        let url = upstream.url("/slow/peer-kill.bin?rate=4000000")

        let started = ContinuousClock.now
        let client = Task { try await streamedGet(fetchURL(asker, url, sha256: sha)) }
        let flowing = try await eventually(timeout: .seconds(30), interval: .milliseconds(20)) {
            try await asker.metric("larder_peer_bytes_total{peer=\"\(owner.address)\"}") >= Double(2 << 20)
        }
        #expect(flowing, "no bytes came from the owner")
        owner.child.kill()
        let result = try await client.value
        let elapsed = ContinuousClock.now - started

        #expect(result.status == 200)
        #expect(result.error == nil)
        #expect(result.sha256 == sha)
        #expect(result.count == Int64(size))
        #expect(result.cache == "peer")
        // 24 MiB at 4 MB/s is about 6 s per transfer; the hand-over itself is immediate (the connection resets).
        #expect(elapsed < .seconds(60), "took \(elapsed)")
        #expect(try await asker.holds("sha256:" + sha))
        #expect(try await asker.metric("larder_peer_errors_total{peer=\"\(owner.address)\",reason=\"broken\"}") == 1)
        let transfers = try upstream.requests(to: "/slow/peer-kill.bin?rate=4000000").filter { $0.method == "GET" }
        #expect((1...2).contains(transfers.count), "the upstream saw \(transfers.count) transfers")
    }

    @Test func withNoOtherOwnerLeftTheFillResumesFromTheUpstreamWithARange() async throws {
        let size = 16 << 20
        let bytes = UpstreamFixture.randomBytes(size)
        let sha = sha256Hex(bytes)
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: ["peer-resume.bin": bytes])
        defer { upstream.stop() }
        let cluster = try await PeerCluster.start(count: 2)
        defer { cluster.stop() }
        let ranked = cluster.ranked("sha256:" + sha)
        let (owner, asker) = (ranked[0], ranked[1])
        let path = "/slow/peer-resume.bin?rate=4000000"

        let client = Task { try await streamedGet(fetchURL(asker, upstream.url(path), sha256: sha)) }
        let flowing = try await eventually(timeout: .seconds(30), interval: .milliseconds(20)) {
            try await asker.metric("larder_peer_bytes_total{peer=\"\(owner.address)\"}") >= Double(2 << 20)
        }
        #expect(flowing, "no bytes came from the owner")
        owner.child.kill()
        let result = try await client.value

        #expect(result.status == 200 && result.error == nil && result.sha256 == sha && result.count == Int64(size), "\(result)")
        #expect(try await asker.holds("sha256:" + sha))
        // The owner's transfer, then the asker's own, from where the owner's bytes stopped.
        let transfers = try upstream.requests(to: path).filter { $0.method == "GET" }
        #expect(transfers.count == 2, "\(transfers.map { $0.range ?? "whole" })")
        let resumed = transfers.compactMap(\.range).first { $0.hasPrefix("bytes=") && !$0.hasPrefix("bytes=0-") }
        #expect(resumed != nil, "the asker did not resume with a Range: \(transfers.map { $0.range ?? "whole" })")
    }

    @Test func membersJoiningAndLeavingWhileRequestsRunCauseNoErrorsAndMoveOnlyTheirKeys() async throws {
        var made: [String: [UInt8]] = [:]
        for index in 0..<24 { made["move-\(index).bin"] = UpstreamFixture.randomBytes(64 << 10) }
        let files = made
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: files)
        defer { upstream.stop() }
        let cluster = try await PeerCluster.start(count: 3)
        defer { cluster.stop() }
        let (a, b, c) = (cluster.nodes[0], cluster.nodes[1], cluster.nodes[2])
        let d = try await cluster.add()

        // The first half is requested through A while C leaves and D joins.
        let during = (0..<12).map { "move-\($0).bin" }
        let requests = Task {
            try await withThrowingTaskGroup(of: (String, StreamedFetch).self) { group in
                for name in during {
                    group.addTask {
                        try await (name, streamedGet(fetchURL(a, upstream.url("/slow/\(name)?rate=200000"), sha256: sha256Hex(files[name]!))))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        try await cluster.writeMembers([a, b, d].map(\.address))
        for (name, result) in try await requests.value {
            #expect(result.status == 200 && result.error == nil && result.sha256 == sha256Hex(files[name]!), "\(name): \(result)")
        }

        // The second half, after the change: each object lives on A and on its owner among A, B, D only.
        for index in 12..<24 {
            let name = "move-\(index).bin"
            let sha = sha256Hex(files[name]!)
            let result = try await streamedGet(fetchURL(a, upstream.url("/files/\(name)"), sha256: sha))
            #expect(result.status == 200 && result.sha256 == sha)
            let owner = cluster.ranked("sha256:" + sha, members: [a, b, d])[0]
            for node in [b, c, d] {
                let holds = try await node.holds("sha256:" + sha)
                #expect(holds == (node === owner), "\(name): \(node.address) holds=\(holds), owner \(owner.address)")
            }
        }
    }

    @Test func aPeerSendingWrongBytesIsCaughtNothingWrongIsStoredAndTheObjectComesFromElsewhere() async throws {
        let size = 1 << 20
        var files: [String: [UInt8]] = [:]
        for index in 0..<16 { files["corrupt-\(index).bin"] = UpstreamFixture.randomBytes(size) }
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: files)
        defer { upstream.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-corrupt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let liar = try await FixtureProcess.launchPython(
            [FixtureProcess.script("corrupt_peer.py", besides: #filePath), "--port-file", directory + "/port", "--size", String(size)],
            port: .file(directory + "/port"))
        defer { liar.stop() }
        let liarAddress = "127.0.0.1:\(liar.port)"
        let cluster = try await PeerCluster.start(count: 1, extraMembers: [liarAddress])
        defer { cluster.stop() }
        let node = cluster.nodes[0]
        guard let name = files.keys.sorted().first(where: { name in
            Rendezvous.owner(of: "sha256:" + sha256Hex(files[name]!), among: [PeerAddress(parsing: liarAddress)!, PeerAddress(parsing: node.address)!])?.description == liarAddress
        }) else {
            Issue.record("none of 16 objects is owned by the lying peer (chance 1 in 65536)")
            return
        }
        let sha = sha256Hex(files[name]!)
        let url = fetchURL(node, upstream.url("/files/\(name)"), sha256: sha)

        let first = try await streamedGet(url)
        // The lie is found at the digest check, before the last chunk is sent: never a whole wrong body.
        #expect(first.error != nil || first.status != 200, "the client got a complete body from the lying peer")
        #expect(first.sha256 != sha)
        let second = try await streamedGet(url)
        #expect(second.status == 200 && second.error == nil && second.sha256 == sha, "\(second)")
        #expect(try await node.holds("sha256:" + sha))
        #expect(try await node.metric("larder_peer_errors_total{peer=\"\(liarAddress)\",reason=\"digest\"}") == 1)
        let asked = try JSONSerialization.jsonObject(with: Data(RawHTTP.get(port: liar.port, path: "/_stats"))) as? [String: [String]]
        #expect(asked?["requests"]?.count == 1, "the lying peer was asked \(asked?["requests"]?.count ?? -1) times")
        #expect(try upstream.requests(to: "/files/\(name)").filter { $0.method == "GET" }.count == 1)
    }

    @Test func aRequestMarkedAsAPeerHopIsNeverForwardedAgain() async throws {
        var files: [String: [UInt8]] = [:]
        for index in 0..<16 { files["hop-\(index).bin"] = UpstreamFixture.randomBytes(32 << 10) }
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: files)
        defer { upstream.stop() }
        let cluster = try await PeerCluster.start(count: 2)
        defer { cluster.stop() }
        let (a, b) = (cluster.nodes[0], cluster.nodes[1])
        let ownedByB = files.keys.sorted().filter { cluster.ranked("sha256:" + sha256Hex(files[$0]!))[0] === b }
        guard ownedByB.count >= 2 else {
            Issue.record("fewer than 2 of 16 objects are owned by B (chance about 1 in 4000)")
            return
        }

        let marked = ownedByB[0]
        let markedSHA = sha256Hex(files[marked]!)
        let hop = try await streamedGet(fetchURL(a, upstream.url("/files/\(marked)"), sha256: markedSHA),
                                        headers: [(PeerHop.headerName, "127.0.0.1:1")])
        #expect(hop.status == 200 && hop.sha256 == markedSHA)
        #expect(hop.cache == "miss")
        #expect(try await !b.holds("sha256:" + markedSHA), "the hop was forwarded to the owner")
        #expect(try await b.metric("larder_peer_requests_served_total") == 0)

        // The control: the same kind of request without the mark goes to the owner.
        let plain = ownedByB[1]
        let plainSHA = sha256Hex(files[plain]!)
        let forwarded = try await streamedGet(fetchURL(a, upstream.url("/files/\(plain)"), sha256: plainSHA))
        #expect(forwarded.status == 200 && forwarded.sha256 == plainSHA)
        #expect(forwarded.cache == "peer")
        #expect(try await b.holds("sha256:" + plainSHA))
        #expect(try await b.metric("larder_peer_requests_served_total") == 1)
    }

    @Test func aWarmListRunOnEveryNodeFetchesFromTheUpstreamOnce() async throws {
        let bytes = UpstreamFixture.randomBytes(2 << 20)
        let sha = sha256Hex(bytes)
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: ["warm.bin": bytes])
        defer { upstream.stop() }
        let cluster = try await PeerCluster.start(count: 3)
        defer { cluster.stop() }
        let reference = upstream.url("/files/warm.bin") + "#sha256=" + sha
        // Every node warms the same list at once, as `--warm-file` on a DaemonSet does.
        let outcomes = try await withThrowingTaskGroup(of: ProcessOutcome.self) { group in
            for node in cluster.nodes {
                group.addTask { try await ProcessRunner.run(BuiltExecutable.larder, ["warm", "--server", node.url, reference], timeout: .seconds(120)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for outcome in outcomes { #expect(outcome.status == 0, "\(outcome.stderr)") }
        for node in cluster.nodes { #expect(try await node.holds("sha256:" + sha)) }
        #expect(try upstream.requests(to: "/files/warm.bin").filter { $0.method == "GET" }.count == 1)
    }

    @Test func anOwnerThatIsDownIsSkippedAndTheUpstreamServes() async throws {
        var files: [String: [UInt8]] = [:]
        for index in 0..<16 { files["down-\(index).bin"] = UpstreamFixture.randomBytes(32 << 10) }
        let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: files)
        defer { upstream.stop() }
        // A member that listens nowhere: a port of a stopped node.
        let gone = try await LarderServeProcess.start()
        let goneAddress = "127.0.0.1:\(gone.port)"
        gone.stop()
        let cluster = try await PeerCluster.start(count: 1, extraMembers: [goneAddress])
        defer { cluster.stop() }
        let node = cluster.nodes[0]
        guard let name = files.keys.sorted().first(where: { name in
            Rendezvous.owner(of: "sha256:" + sha256Hex(files[name]!),
                             among: [PeerAddress(parsing: goneAddress)!, PeerAddress(parsing: node.address)!])?.description == goneAddress
        }) else {
            Issue.record("none of 16 objects is owned by the stopped member (chance 1 in 65536)")
            return
        }
        let sha = sha256Hex(files[name]!)
        let started = ContinuousClock.now
        let result = try await streamedGet(fetchURL(node, upstream.url("/files/\(name)"), sha256: sha))
        #expect(result.status == 200 && result.sha256 == sha && result.cache == "miss")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try await node.metric("larder_peer_errors_total{peer=\"\(goneAddress)\",reason=\"refused\"}") == 1)
        let status = try await PeerCluster.peerStatus(node)
        #expect(!status.live.contains(goneAddress) && status.members.contains(goneAddress))
    }
}
