import Foundation
import LarderAPI
import LarderCore
import LarderStore
import LarderTestSupport
import Testing

/// Issue 12 part 2: cached files of gated and private repositories are served only to callers the Hub lets in
/// (their own token, checked upstream and remembered for a short TTL), or to everyone when the operator marks the
/// repository public. The stand-in Hub gates `fixture/model` (hub_fixture.py `/_gate`).
@Suite("HF gated and private repositories per caller", .serialized, .timeLimit(.minutes(3)))
struct HFGatedAccessTests {
    static let cluster = "hf_cluster_token"
    static let alice = "hf_alice_token"
    static let bob = "hf_bob_token"
    static let files: [String: [UInt8]] = [
        "config.json": Array(#"{"model_type": "gated"}"#.utf8),
        "model.bin": pseudoRandomBytes(1 << 20, seed: 12),
    ]

    static func bearer(_ token: String?) -> [(name: String, value: String)] {
        token.map { [("Authorization", "Bearer \($0)")] } ?? []
    }

    /// A Hub gating `fixture/model` (`mode`), and a mirror with the cluster token and a short access TTL.
    func withGatedMirror(_ mode: HubFixture.Gate, ttl: Duration = .seconds(60), publicRepos: [String] = [],
                         _ body: (HubFixture, LarderTestServer) async throws -> Void) async throws {
        let hub = try await HubFixture.start(files: Self.files)
        defer { hub.stop() }
        try hub.gate(mode, tokens: [Self.cluster, Self.alice])
        let mirror = try await LarderTestServer.startHF(upstream: hub.url) { configuration in
            configuration.core.hf.token = Self.cluster
            configuration.core.hf.accessTTL = ttl
            configuration.core.hf.publicRepos = HFPublicRepos(publicRepos.compactMap(HFPublicRepos.parse))
        }
        try await mirror.use { try await body(hub, mirror) }
    }

    @Test("a gated file cached for one caller is served to callers the Hub admits, refused to the others and to anonymous ones")
    func gatedPerCaller() async throws {
        try await withGatedMirror(.gated) { hub, mirror in
            let url = mirror.url("/hf/fixture/model/resolve/main/model.bin")
            let first = try await get(url, headers: Self.bearer(Self.alice))
            let firstIntact = first.body == Self.files["model.bin"]
            #expect(first.status == 200 && firstIntact, "\(first.status)")
            let aliceChecks = try hub.gatedRequests(token: Self.alice)

            // Cached now. Without a token: 401 GatedRepo, the Hub is not asked.
            let anonymous = try await get(url)
            #expect(anonymous.status == 401, "\(anonymous.status)")
            #expect(anonymous.header("X-Error-Code") == "GatedRepo")
            #expect(anonymous.errorCode == "gated_repo")
            let leaked = anonymous.body == Self.files["model.bin"]
            #expect(!leaked, "the gated file was served without a token")
            #expect(try hub.gatedRequests(token: nil) == 0)

            // Bob's token is refused upstream: the Hub's 403 GatedRepo, asked once, then remembered.
            let bob = try await get(url, headers: Self.bearer(Self.bob))
            #expect(bob.status == 403 && bob.header("X-Error-Code") == "GatedRepo", "\(bob.status)")
            let bobAgain = try await get(mirror.url("/hf/fixture/model/resolve/main/config.json"), headers: Self.bearer(Self.bob))
            #expect(bobAgain.status == 403)
            #expect(try hub.gatedRequests(token: Self.bob) == 1)

            // The file list is as protected as the files.
            let info = try await get(mirror.url("/hf/api/models/fixture/model"))
            #expect(info.status == 401)
            let tree = try await get(mirror.url("/hf/api/models/fixture/model/tree/main"), headers: Self.bearer(Self.bob))
            #expect(tree.status == 403)

            // Alice is served from the cache; her access was proven by her own look-up, so the Hub is not asked again.
            let again = try await get(url, headers: Self.bearer(Self.alice))
            let againIntact = again.body == Self.files["model.bin"]
            #expect(again.status == 200 && againIntact && again.header("X-Larder-Cache") == "hit", "\(again.status)")
            #expect(try hub.gatedRequests(token: Self.alice) == aliceChecks)
            #expect(try await mirror.metric("larder_hf_access_checks_total{result=\"upstream\"}") == 1)
            #expect(try await mirror.metric("larder_hf_access_checks_total{result=\"refused\"}") >= 3)
        }
    }

    @Test("a caller whose access is revoked upstream is refused once the access TTL has passed")
    func revocationAfterTTL() async throws {
        try await withGatedMirror(.gated, ttl: .seconds(1)) { hub, mirror in
            let url = mirror.url("/hf/fixture/model/resolve/main/config.json")
            let first = try await get(url, headers: Self.bearer(Self.alice))
            #expect(first.status == 200 && first.body == Self.files["config.json"])
            try hub.gate(.gated, tokens: [Self.cluster])
            let revokedAt = ContinuousClock.now
            var answer = try await get(url, headers: Self.bearer(Self.alice))
            while answer.status == 200, ContinuousClock.now - revokedAt < .seconds(30) {
                try await Task.sleep(for: .milliseconds(100))
                answer = try await get(url, headers: Self.bearer(Self.alice))
            }
            #expect(answer.status == 403 && answer.header("X-Error-Code") == "GatedRepo", "\(answer.status)")
            #expect(try hub.gatedRequests(token: Self.alice) >= 2, "the refusal came from the Hub")
        }
    }

    @Test("a private repository: no token is 401 RepoNotFound, another caller's token gets the Hub's 404")
    func privateRepository() async throws {
        try await withGatedMirror(.private) { hub, mirror in
            let url = mirror.url("/hf/fixture/model/resolve/main/config.json")
            let first = try await get(url, headers: Self.bearer(Self.alice))
            #expect(first.status == 200 && first.body == Self.files["config.json"])
            let anonymous = try await get(url)
            #expect(anonymous.status == 401 && anonymous.header("X-Error-Code") == "RepoNotFound", "\(anonymous.status)")
            let bob = try await get(url, headers: Self.bearer(Self.bob))
            #expect(bob.status == 404 && bob.header("X-Error-Code") == "RepoNotFound", "\(bob.status)")
        }
    }

    @Test("an operator-marked public repository is served to callers without a token, fetched with the cluster token")
    func operatorMarkedPublic() async throws {
        try await withGatedMirror(.gated, publicRepos: ["fixture/model"]) { hub, mirror in
            let answer = try await get(mirror.url("/hf/fixture/model/resolve/main/model.bin"))
            let intact = answer.body == Self.files["model.bin"]
            #expect(answer.status == 200 && intact, "\(answer.status)")
            #expect(try hub.gatedRequests(token: Self.cluster) >= 1)
        }
    }

    @Test("an ungated repository is served to everyone without access checks")
    func ungated() async throws {
        try await withGatedMirror(.publicRepo) { hub, mirror in
            let answer = try await get(mirror.url("/hf/fixture/model/resolve/main/config.json"))
            #expect(answer.status == 200 && answer.body == Self.files["config.json"])
            let withToken = try await get(mirror.url("/hf/fixture/model/resolve/main/config.json"), headers: Self.bearer(Self.bob))
            #expect(withToken.status == 200)
            #expect(try await mirror.metricIfPresent("larder_hf_access_checks_total{result=\"upstream\"}") ?? 0 == 0)
        }
    }

    @Test("the real huggingface_hub client: GatedRepoError without HF_TOKEN for a file another caller cached, the file with one")
    func realClient() async throws {
        try await withGatedMirror(.gated) { hub, mirror in
            let cached = try await get(mirror.url("/hf/fixture/model/resolve/main/config.json"), headers: Self.bearer(Self.cluster))
            #expect(cached.status == 200)
            let refused = try await HFVenv.runAsync("hub_client.py", ["expect-error", HubFixture.repo, "config.json"], endpoint: mirror.endpoint)
            #expect(refused["error"] as? String == "GatedRepoError" || refused["cause"] as? String == "GatedRepoError", "\(refused)")
            let refusedBob = try await HFVenv.runAsync("hub_client.py", ["expect-error", HubFixture.repo, "config.json"], endpoint: mirror.endpoint,
                                                       extraEnvironment: ["HF_TOKEN": Self.bob])
            #expect(refusedBob["error"] as? String == "GatedRepoError" || refusedBob["cause"] as? String == "GatedRepoError", "\(refusedBob)")
            let downloaded = try await HFVenv.runAsync("hub_client.py", ["download", HubFixture.repo, "config.json", "model.bin"],
                                                       endpoint: mirror.endpoint, extraEnvironment: ["HF_TOKEN": Self.alice])
            let files = downloaded["files"] as? [String: [String: Any]]
            #expect(files?["config.json"]?["sha256"] as? String == BlobDigest(hashing: Self.files["config.json"] ?? []).hex, "\(downloaded)")
            #expect(files?["model.bin"]?["sha256"] as? String == BlobDigest(hashing: Self.files["model.bin"] ?? []).hex)
        }
    }
}
