import Foundation
import LarderAPI
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import Testing

/// Image layers through the peer tier: two Larders mirroring the same docker-registry list each other; the node
/// that does not own a layer asks its owner with containerd's own request, and the registry serves the layer once.
@Suite struct OCIPeerTests {
    @Test func aLayerIsPulledFromTheRegistryOnceForTwoNodes() async throws {
        let (registry, image) = try await OCIPullTests.upstreamWithImage(name: "peers/app", layers: 1)
        defer { registry.remove() }
        let layer = try #require(image.platforms["linux/amd64"]?.layers.first)
        let directory = OCITools.temporary("peers")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let membersFile = directory + "/peers"
        try Data().write(to: URL(fileURLWithPath: membersFile))
        var nodes: [LarderTestServer] = []
        for _ in 0..<2 {
            let node = try await LarderTestServer.start { configuration in
                configuration.core.registries.registries = [registry.host: registry.url]
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

        let members = nodes.map { PeerAddress(host: "127.0.0.1", port: $0.port) }
        let owner = try #require(Rendezvous.owner(of: layer, among: members))
        let asker = try #require(nodes.first { $0.port != owner.port })
        let ownerNode = try #require(nodes.first { $0.port == owner.port })
        let before = registry.count("GET", "/v2/peers/app/blobs/")

        let blob = try await OCILarder.containerd(asker, "/v2/peers/app/blobs/\(layer)", ns: registry.host)
        #expect(blob.status == 200)
        #expect(BlobDigest(hashing: blob.body).description == layer)
        #expect(blob.header("X-Larder-Cache") == "peer")
        let fromOwner = try await OCILarder.containerd(ownerNode, "/v2/peers/app/blobs/\(layer)", ns: registry.host)
        #expect(fromOwner.header("X-Larder-Cache") == "hit", "the owner did not keep its copy")
        #expect(registry.count("GET", "/v2/peers/app/blobs/") - before == 1)
    }
}
