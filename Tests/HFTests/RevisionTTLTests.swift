import Foundation
import LarderTestSupport
import Testing

/// Branch resolutions are cached for the revision TTL, re-resolved upstream after it (so a moved `main` is
/// followed), and served stale while the upstream is down.
@Suite("HF revision TTL against a stand-in Hub", .serialized, .timeLimit(.minutes(2)))
struct RevisionTTLTests {
    static let first = "c0ffee" + String(repeating: "0", count: 34)
    static let second = "beef" + String(repeating: "1", count: 36)
    static let ttl = 2.0

    @Test func movedMainIsFollowedAfterTheTTLAndServedStaleWhileTheHubIsDown() async throws {
        let v1 = Array(#"{"version": 1}"#.utf8)
        let v2 = Array(#"{"version": 2, "moved": true}"#.utf8)
        let hub = try await HubFixture.start(files: ["config.json": v1], commit: Self.first)
        defer { hub.stop() }
        let mirror = try await LarderTestServer.startHF(upstream: hub.url) { $0.core.hf.revisionTTL = .milliseconds(Int64(Self.ttl * 1000)) }
        try await mirror.use {
            let url = mirror.url("/hf/fixture/model/resolve/main/config.json")
            let resolved = ContinuousClock.now
            let before = try await get(url)
            #expect(before.status == 200 && before.body == v1)
            #expect(before.header("X-Repo-Commit") == Self.first)
            let lookups = "GET /api/models/fixture/model/revision/main"
            #expect(try hub.counts()[lookups] == 1)

            // main moves upstream. Within the TTL the mirror keeps the resolution it has, without asking.
            try hub.moveMain(to: Self.second, files: ["config.json": v2])
            let cached = try await get(url)
            let cachedAt = ContinuousClock.now - resolved
            #expect(cached.status == 200 && cached.body == v1 && cached.header("X-Repo-Commit") == Self.first,
                    "answered \(cachedAt) after the first resolution")
            #expect(try hub.counts()[lookups] == 1)

            // After the TTL, main is resolved again and the new commit is served.
            var after = cached
            let deadline = ContinuousClock.now + .seconds(30)
            while after.header("X-Repo-Commit") != Self.second, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                after = try await get(url)
            }
            let followedAt = ContinuousClock.now - resolved
            #expect(after.status == 200 && after.body == v2 && after.header("X-Repo-Commit") == Self.second)
            #expect(after.header("X-Larder-Revision") != "stale")
            #expect(followedAt >= .milliseconds(Int64(Self.ttl * 1000)), "new commit served \(followedAt) after the first resolution")
            #expect(try hub.counts()[lookups] == 2)
            #expect(try await mirror.metric("larder_hf_revision_lookups_total{source=\"upstream\"}") == 2)
            // The old commit is still there by SHA.
            let old = try await get(mirror.url("/hf/fixture/model/resolve/\(Self.first)/config.json"))
            #expect(old.status == 200 && old.body == v1)

            // The Hub goes away: once the TTL has passed again, the last resolution is served, marked stale.
            hub.stop()
            var stale = after
            let staleDeadline = ContinuousClock.now + .seconds(30)
            while stale.header("X-Larder-Revision") != "stale", ContinuousClock.now < staleDeadline {
                try await Task.sleep(for: .milliseconds(100))
                stale = try await get(url)
            }
            #expect(stale.status == 200 && stale.body == v2)
            #expect(stale.header("X-Repo-Commit") == Self.second)
            #expect(stale.header("X-Larder-Revision") == "stale")
            #expect(try await mirror.metric("larder_hf_revision_lookups_total{source=\"stale\"}") >= 1)
        }
    }
}
