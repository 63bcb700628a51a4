import Crypto
import Foundation
import LarderCore
import LarderTestSupport
import Testing
import Upstream

/// A few `larder serve` processes on loopback that know each other through a `--peers-file` the test controls.
///
/// `@unchecked Sendable` invariant: `nodes` and `file` are only changed by the test task that owns the cluster
/// (``start(count:extraArguments:)``, ``add(extraArguments:)``, ``writeMembers(_:)``); the processes are only queried.
final class PeerCluster: @unchecked Sendable {
    /// The running nodes, in start order.
    private(set) var nodes: [LarderServeProcess] = []
    /// The members file every node re-reads.
    let file: String
    private let directory: String

    private init(directory: String) {
        self.directory = directory
        self.file = directory + "/peers"
    }

    /// Starts `count` nodes allowed to fetch from 127.0.0.1, each re-reading the members file every 0.2 s, and lists
    /// them all as members (plus `extraMembers`); returns once every node sees every member.
    static func start(count: Int, extraMembers: [String] = [], extraArguments: [String] = []) async throws -> PeerCluster {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-peers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cluster = PeerCluster(directory: directory)
        try Data().write(to: URL(fileURLWithPath: cluster.file))
        for _ in 0..<count {
            try await cluster.add(extraArguments: extraArguments)
        }
        try await cluster.writeMembers(cluster.nodes.map(\.address) + extraMembers)
        return cluster
    }

    /// Starts one more node (not yet listed as a member).
    @discardableResult
    func add(extraArguments: [String] = []) async throws -> LarderServeProcess {
        let node = try await LarderServeProcess.start(extraArguments: [
            "--allow-upstream", "127.0.0.1", "--peers-file", file, "--peers-refresh", "0.2",
            "--peer-first-byte-timeout", "3", "--peer-stall-timeout", "3", "--log-level", "info",
        ] + extraArguments)
        nodes.append(node)
        return node
    }

    /// Replaces the members file with `members` and waits until every running node lists exactly them.
    func writeMembers(_ members: [String]) async throws {
        let temporary = file + ".tmp"
        try Data(members.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, file) == 0 else { throw FixtureError("cannot replace \(file): errno \(errno)") }
        let expected = Set(members)
        for node in nodes where node.child.isRunning {
            let seen = try await eventually(timeout: .seconds(20), interval: .milliseconds(50)) {
                let status = try await Self.peerStatus(node)
                return Set(status.members) == expected.union([node.address])
            }
            #expect(seen, "node \(node.address) did not pick up the members \(members.sorted())")
        }
    }

    /// The node's `/stats` peer section.
    static func peerStatus(_ node: LarderServeProcess) async throws -> PeerStatus {
        let response = try await get(node.url + "/stats")
        struct Stats: Decodable { var peers: PeerStatus? }
        guard let peers = try JSONDecoder().decode(Stats.self, from: Data(response.body)).peers else {
            throw FixtureError("/stats of \(node.address) has no peers section")
        }
        return peers
    }

    /// The nodes ranked for `key` over `members` (the rendezvous order every node computes).
    func ranked(_ key: String, members: [LarderServeProcess]? = nil) -> [LarderServeProcess] {
        let pool = members ?? nodes
        let addresses = pool.compactMap { PeerAddress(parsing: $0.address) }
        return Rendezvous.rank(key, over: addresses).compactMap { address in pool.first { $0.address == address.description } }
    }

    /// Kills every node (SIGKILL) and removes the directory.
    func stop() {
        for node in nodes { node.kill() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension LarderServeProcess {
    /// `127.0.0.1:<port>`: the node's identity as a member.
    var address: String { "127.0.0.1:\(port)" }

    /// Whether the node stores a verified blob with `digest` (HEAD /blobs/<digest> answers 200).
    func holds(_ digest: String) async throws -> Bool {
        try await head(url + "/blobs/" + digest).status == 200
    }

    /// The value of the Prometheus sample `line` (its name with labels) in `/metrics`, 0 when absent.
    func metric(_ sample: String) async throws -> Double {
        let text = String(decoding: try await get(url + "/metrics").body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}

/// What a streamed GET delivered: status, `X-Larder-Cache`, how many bytes, their SHA-256, and the error that cut
/// the body short, if any. Bodies are hashed as they arrive, never held (the objects are up to 256 MiB).
struct StreamedFetch: Sendable {
    var status: Int
    var cache: String?
    var count: Int64
    var sha256: String
    var error: String?
}

/// GETs `url` and hashes the body as it arrives.
func streamedGet(_ url: String, headers: [(name: String, value: String)] = []) async throws -> StreamedFetch {
    let response = try await testHTTPClient.send(UpstreamRequest(url: url, headers: headers))
    var hasher = SHA256()
    var count: Int64 = 0
    var failure: String?
    do {
        for try await block in response {
            hasher.update(data: block)
            count += Int64(block.count)
        }
    } catch {
        failure = "\(error)"
    }
    let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    return StreamedFetch(status: response.head.status, cache: response.head.header("X-Larder-Cache"), count: count,
                         sha256: digest, error: failure)
}

/// The lowercase hex SHA-256 of `bytes`.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

/// `/fetch?url=<url>&sha256=<hex>` on `node`.
func fetchURL(_ node: LarderServeProcess, _ upstreamURL: String, sha256: String?) -> String {
    var url = node.url + "/fetch?url=" + (upstreamURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? upstreamURL)
    if let sha256 { url += "&sha256=" + sha256 }
    return url
}
