import LarderCore
import LarderTestSupport
import Logging
import Synchronization
import Testing

/// Owner choice by rendezvous hashing, member addresses and lists, and the system resolver.
@Suite struct RendezvousTests {
    static func members(_ count: Int, base: Int = 7000) -> [PeerAddress] {
        (0..<count).map { PeerAddress(host: "10.0.\($0 / 250).\($0 % 250 + 1)", port: base) }
    }

    static let keys = (0..<4000).map { "sha256:key-\($0)" }

    @Test func everyNodeAgreesOnTheOwnerWhateverOrderItListsMembersIn() {
        let members = Self.members(8)
        for key in Self.keys.prefix(200) {
            #expect(Rendezvous.owner(of: key, among: members) == Rendezvous.owner(of: key, among: members.reversed()))
            #expect(Rendezvous.rank(key, over: members).count == members.count)
        }
    }

    @Test func keysSpreadOverTheMembers() {
        let members = Self.members(8)
        var counts: [PeerAddress: Int] = [:]
        for key in Self.keys { counts[Rendezvous.owner(of: key, among: members)!, default: 0] += 1 }
        // 4000 keys over 8 members: 500 each on average; a fair hash stays well inside ±30 %.
        #expect(counts.count == 8)
        for (member, count) in counts { #expect((350...650).contains(count), "\(member) owns \(count) of 4000 keys") }
    }

    @Test func aJoiningMemberTakesOnlyKeysItNowOwns() {
        let before = Self.members(6)
        let joiner = PeerAddress(host: "10.9.9.9", port: 7000)
        let after = before + [joiner]
        var moved = 0
        for key in Self.keys {
            let old = Rendezvous.owner(of: key, among: before)!
            let new = Rendezvous.owner(of: key, among: after)!
            if old != new {
                #expect(new == joiner, "\(key) moved from \(old) to \(new), not to the joining member")
                moved += 1
            }
        }
        // About 1/7 of the keys move to the new member.
        #expect((400...750).contains(moved), "\(moved) of 4000 keys moved")
    }

    @Test func aLeavingMembersKeysGoToTheirNextRankedMemberAndNoOtherKeyMoves() {
        let before = Self.members(6)
        let leaver = before[2]
        let after = before.filter { $0 != leaver }
        for key in Self.keys {
            let ranked = Rendezvous.rank(key, over: before)
            let new = Rendezvous.owner(of: key, among: after)!
            if ranked[0] == leaver {
                #expect(new == ranked[1])
            } else {
                #expect(new == ranked[0], "\(key) changed owner although its owner \(ranked[0]) stayed")
            }
        }
    }

    @Test func addressesParseAndPrint() {
        #expect(PeerAddress(parsing: "10.0.0.7:7480") == PeerAddress(host: "10.0.0.7", port: 7480))
        #expect(PeerAddress(parsing: "[fd00::1]:7480") == PeerAddress(host: "fd00::1", port: 7480))
        #expect(PeerAddress(parsing: "[fd00::1]:7480")?.baseURL == "http://[fd00::1]:7480")
        #expect(PeerAddress(parsing: "node-a", defaultPort: 7480) == PeerAddress(host: "node-a", port: 7480))
        #expect(PeerAddress(parsing: "fd00::2", defaultPort: 7480)?.description == "[fd00::2]:7480")
        #expect(PeerAddress(parsing: "node-a") == nil)
        #expect(PeerAddress(parsing: "node-a:0") == nil)
        #expect(PeerAddress(parsing: "node-a:99999") == nil)
        #expect(PeerAddress(parsing: "http://node-a:7480") == nil)
    }

    @Test func memberListsAllowCommasSpacesLinesAndComments() {
        let parsed = PeerMembership.parseList("a:1, b:2\n# all of rack 3\nc:3 d   # d takes the default port\nbad:port\n", defaultPort: 9)
        #expect(parsed.members == [PeerAddress(host: "a", port: 1), PeerAddress(host: "b", port: 2),
                                   PeerAddress(host: "c", port: 3), PeerAddress(host: "d", port: 9)])
        #expect(parsed.rejected == ["bad:port"])
    }

    @Test func theSystemResolverReadsTheHostsFile() throws {
        // `localhost` comes from /etc/hosts (no network): the getaddrinfo path --peers-dns uses.
        let addresses = try SystemPeerResolver().resolve("localhost")
        #expect(addresses.contains("127.0.0.1") || addresses.contains("::1"), "localhost resolved to \(addresses)")
    }
}

/// A resolver whose answers the test sets: the DNS seam of ``PeerMembership``.
final class StubResolver: PeerResolver {
    let answer = Mutex<Result<[String], PeerResolutionError>>(.success([]))

    func resolve(_ name: String) throws -> [String] {
        try answer.withLock { $0 }.get()
    }
}

@Suite struct PeerDNSMembershipTests {
    @Test func dnsAnswersBecomeMembersOnTheListenPortAndAFailedLookupKeepsTheLastAnswer() async throws {
        let resolver = StubResolver()
        resolver.answer.withLock { $0 = .success(["10.1.0.1", "10.1.0.2", "fd00::3"]) }
        var configuration = PeerConfiguration()
        configuration.dnsName = "larder-peers.larder.svc"
        configuration.defaultPort = 7480
        configuration.refreshInterval = .milliseconds(50)
        configuration.selfAddress = PeerAddress(host: "10.1.0.1", port: 7480)
        let membership = PeerMembership(configuration: configuration, resolver: resolver,
                                        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let expected = ["10.1.0.1:7480", "10.1.0.2:7480", "[fd00::3]:7480"]
        #expect(await eventually { Set(membership.members().map(\.description)) == Set(expected) })

        resolver.answer.withLock { $0 = .success(["10.1.0.1", "10.1.0.4"]) }
        #expect(await eventually { Set(membership.members().map(\.description)) == ["10.1.0.1:7480", "10.1.0.4:7480"] })

        resolver.answer.withLock { $0 = .failure(PeerResolutionError(name: "larder-peers.larder.svc", reason: "timed out")) }
        #expect(await eventually {
            _ = membership.members()  // a lookup starts the next resolution
            return !membership.problems.isEmpty
        })
        #expect(Set(membership.members().map(\.description)) == ["10.1.0.1:7480", "10.1.0.4:7480"])
    }
}
