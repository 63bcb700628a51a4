import Foundation
import LarderAPI
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import Testing

/// Hugging Face files through the peer tier: two in-process Larders that list each other; the node that does not
/// own a file asks its owner with the same resolve URL, and the Hub sees one download.
@Suite struct HFPeerTests {
    static let files: [String: [UInt8]] = [
        "model.bin": UpstreamFixture.randomBytes(3 << 20),
        "config.json": Array(#"{"model_type": "whisper"}"#.utf8),
    ]

    @Test func aFileIsDownloadedFromTheHubOnceForTwoNodes() async throws {
        let hub = try await HubFixture.start(files: Self.files)
        defer { hub.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hf-peers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let membersFile = directory + "/peers"
        try Data().write(to: URL(fileURLWithPath: membersFile))
        var nodes: [LarderTestServer] = []
        for _ in 0..<2 {
            let node = try await LarderTestServer.startHF(upstream: hub.url) { configuration in
                configuration.core.peers.file = membersFile
                configuration.core.peers.refreshInterval = .milliseconds(100)
            }
            node.services.fills.peers?.serverBound(host: "127.0.0.1", port: node.port)
            nodes.append(node)
        }
        defer { for node in nodes { node.stopInBackground() } }
        try Data(nodes.map { "127.0.0.1:\($0.port)" }.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: membersFile))
        for node in nodes {
            #expect(await eventually { node.services.fills.peers?.status().members.count == 2 })
        }

        let sha = BlobDigest(hashing: Self.files["model.bin"]!)
        // The manifest names the LFS file's sha256, so the key is the digest (FillCoordinator.Request.key).
        let key = sha.description
        let owner = Rendezvous.owner(of: key, among: nodes.map { PeerAddress(host: "127.0.0.1", port: $0.port) })
        let asker = nodes.first { $0.port != owner?.port }!
        let path = "/hf/fixture/model/resolve/\(hub.commit)/model.bin"
        let answer = try await get(asker.url(path))
        #expect(answer.status == 200)
        #expect(answer.header("X-Larder-Cache") == "peer")
        #expect(BlobDigest(hashing: answer.body) == sha)
        let ownerNode = nodes.first { $0.port == owner?.port }!
        let fromOwner = try await get(ownerNode.url(path))
        #expect(fromOwner.header("X-Larder-Cache") == "hit", "the owner did not keep its copy")
        let counts = try hub.counts()
        #expect(counts["GET /fixture/model/resolve/\(hub.commit)/model.bin"] == 1, "\(counts)")
        #expect(counts["GET /cdn/\(sha.hex)"] == 1, "\(counts)")
    }
}
