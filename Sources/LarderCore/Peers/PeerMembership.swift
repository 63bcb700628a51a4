import Foundation
import Logging
import Synchronization

/// The current members of the peer tier, from a static list, a DNS name and/or a file, refreshed lazily: a
/// lookup older than the refresh interval re-reads the file at once and starts a DNS resolution on its own thread
/// (its answer applies from the next lookup), so no request waits on DNS.
public final class PeerMembership: Sendable {
    private struct State {
        var fromDNS: Set<PeerAddress> = []
        var fromFile: Set<PeerAddress> = []
        var selfAddress: PeerAddress?
        var lastRefresh: ContinuousClock.Instant?
        var resolving = false
        var fileProblem: String?
        var dnsProblem: String?
    }

    private let configuration: PeerConfiguration
    private let resolver: any PeerResolver
    private let logger: Logger
    private let state: Mutex<State>

    /// Creates the membership of `configuration`, resolving its DNS name with `resolver`.
    public init(configuration: PeerConfiguration, resolver: any PeerResolver = SystemPeerResolver(), logger: Logger) {
        self.configuration = configuration
        self.resolver = resolver
        self.logger = logger
        var initial = State()
        initial.selfAddress = configuration.selfAddress
        self.state = Mutex(initial)
    }

    /// This node's address, when known.
    public var selfAddress: PeerAddress? { state.withLock { $0.selfAddress } }

    /// Sets this node's address unless `--self` gave one.
    public func setSelfIfUnknown(_ address: PeerAddress) {
        state.withLock { if $0.selfAddress == nil { $0.selfAddress = address } }
    }

    /// Every member now, this node included when its address is known, sorted.
    public func members() -> [PeerAddress] {
        refreshIfStale()
        return state.withLock { state in
            var all = Set(configuration.staticPeers).union(state.fromDNS).union(state.fromFile)
            if let me = state.selfAddress { all.insert(me) }
            return all.sorted()
        }
    }

    /// What went wrong at the last refresh (file unreadable, name not resolved), if anything.
    public var problems: [String] {
        state.withLock { [$0.fileProblem, $0.dnsProblem].compactMap { $0 } }
    }

    private func refreshIfStale() {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            if let last = state.lastRefresh, now - last < configuration.refreshInterval { return false }
            state.lastRefresh = now
            return true
        }
        guard due else { return }
        if let path = configuration.file { readFile(path) }
        if let name = configuration.dnsName { startResolving(name) }
    }

    private func readFile(_ path: String) {
        let defaultPort = configuration.defaultPort ?? state.withLock { $0.selfAddress?.port }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            // Keep the last good list: a ConfigMap being replaced is briefly absent.
            state.withLock { $0.fileProblem = "cannot read --peers-file \(path)" }
            return
        }
        let parsed = Self.parseList(text, defaultPort: defaultPort)
        state.withLock { state in
            if state.fromFile != parsed.members {
                logger.info("peers changed", metadata: ["source": "file", "members": "\(parsed.members.sorted())"])
            }
            state.fromFile = parsed.members
            state.fileProblem = parsed.rejected.isEmpty ? nil : "--peers-file \(path): not HOST:PORT: \(parsed.rejected.joined(separator: ", "))"
        }
    }

    /// Parses a member list: entries separated by commas or white space, `#` to the end of a line a comment.
    public static func parseList(_ text: String, defaultPort: Int?) -> (members: Set<PeerAddress>, rejected: [String]) {
        var members: Set<PeerAddress> = []
        var rejected: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for entry in content.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
                if let address = PeerAddress(parsing: String(entry), defaultPort: defaultPort) {
                    members.insert(address)
                } else {
                    rejected.append(String(entry))
                }
            }
        }
        return (members, rejected)
    }

    private func startResolving(_ name: String) {
        let start = state.withLock { state -> Bool in
            if state.resolving { return false }
            state.resolving = true
            return true
        }
        guard start else { return }
        let resolver = self.resolver
        let port = configuration.defaultPort ?? state.withLock { $0.selfAddress?.port } ?? 7480
        let thread = Thread { [self] in
            let outcome = Result { try resolver.resolve(name) }
            state.withLock { state in
                state.resolving = false
                switch outcome {
                case .success(let hosts):
                    let members = Set(hosts.map { PeerAddress(host: $0, port: port) })
                    if members != state.fromDNS {
                        logger.info("peers changed", metadata: ["source": "dns", "members": "\(members.sorted())"])
                    }
                    state.fromDNS = members
                    state.dnsProblem = nil
                case .failure(let error):
                    // Keep the last answer: a resolver hiccup must not make every node its own owner.
                    state.dnsProblem = "\(error)"
                }
            }
        }
        thread.name = "larder-peers-dns"
        thread.start()
    }
}
