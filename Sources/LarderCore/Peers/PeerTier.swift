import Foundation
import Logging
import Synchronization
import Upstream

/// The peer tier of one node: who the members are, which of them owns a key, and how to ask an owner.
///
/// An owner that fails (refuses, answers an error, is slower than the first-byte timeout, breaks off or sends
/// bytes that fail verification) is skipped for ``PeerConfiguration/cooldown``; the fill then asks the next owner
/// in rendezvous order, and the upstream itself after ``PeerConfiguration/maxOwnersTried`` owners.
public final class PeerTier: Sendable {
    /// How peers are found and asked.
    public let configuration: PeerConfiguration
    /// The current members.
    public let membership: PeerMembership
    /// The tier's metrics.
    public let metrics: PeerMetrics
    private let client: UpstreamClient
    private let logger: Logger
    private let downUntil = Mutex<[PeerAddress: ContinuousClock.Instant]>([:])

    /// Creates the tier; peer requests use their own client: one attempt, no redirects, the tier's stall timeout.
    public init(configuration: PeerConfiguration, upstream: UpstreamConfiguration, metrics: LarderMetrics, logger: Logger,
                resolver: any PeerResolver = SystemPeerResolver()) {
        self.configuration = configuration
        self.membership = PeerMembership(configuration: configuration, resolver: resolver, logger: logger)
        self.metrics = PeerMetrics(registry: metrics.registry)
        var clientConfiguration = upstream
        clientConfiguration.maxAttempts = 1
        clientConfiguration.maxRedirects = 0
        clientConfiguration.stallTimeout = configuration.stallTimeout
        clientConfiguration.connectTimeout = min(upstream.connectTimeout, configuration.firstByteTimeout)
        self.client = UpstreamClient(configuration: clientConfiguration, logger: logger)
        self.logger = logger
        _ = membership.members()
    }

    /// Tells the tier the address this node listens on, once bound (used unless `--self` was given).
    public func serverBound(host: String, port: Int) {
        guard host != "0.0.0.0", host != "::", host != "[::]" else {
            if membership.selfAddress == nil {
                logger.warning("peers: listening on all addresses without --self; this node may ask itself as an owner")
            }
            return
        }
        membership.setSelfIfUnknown(PeerAddress(host: host, port: port))
    }

    /// The owners to ask for `key`, best first: the members ranked above this node, skipping those cooling down,
    /// at most ``PeerConfiguration/maxOwnersTried``. Empty when this node is the owner (or the only member).
    public func owners(for key: String) -> [PeerAddress] {
        let me = membership.selfAddress
        let now = ContinuousClock.now
        let down = downUntil.withLock { table in
            table = table.filter { $0.value > now }
            return Set(table.keys)
        }
        var chosen: [PeerAddress] = []
        for member in Rendezvous.rank(key, over: membership.members()) {
            if member == me { break }
            if down.contains(member) { continue }
            chosen.append(member)
            if chosen.count >= configuration.maxOwnersTried { break }
        }
        return chosen
    }

    /// Sends `path` (with its query) to `peer`, marked as a peer hop, asking from `offset` with a `Range` when it is
    /// not zero; returns the response once its head arrived with a 2xx status.
    /// - Throws: ``PeerFailure`` (and records it against the peer) when the peer does not answer in time or refuses.
    func open(_ peer: PeerAddress, path: String, headers: [(name: String, value: String)], offset: Int64) async throws(PeerFailure) -> UpstreamResponse {
        var request = UpstreamRequest(url: peer.baseURL + path)
        request.headers = headers.filter { $0.name.lowercased() != "range" }
        request.headers.append((PeerHop.headerName, membership.selfAddress?.description ?? "unknown"))
        if offset > 0 { request.headers.append(("Range", "bytes=\(offset)-")) }
        request.redirectPolicy = { _ in false }
        let client = self.client
        let prepared = request
        let timeout = configuration.firstByteTimeout
        let started = ContinuousClock.now
        let outcome: Result<UpstreamResponse?, any Error> = await withTaskGroup(of: Result<UpstreamResponse?, any Error>.self) { group in
            group.addTask {
                do {
                    return .success(try await client.send(prepared))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .success(nil)
            }
            let first = await group.next() ?? .success(nil)
            group.cancelAll()
            return first
        }
        let response: UpstreamResponse
        switch outcome {
        case .success(let answered?): response = answered
        case .success(nil): throw failed(peer, PeerFailure(reason: "timeout", message: "\(peer) sent no response head within \(timeout)"))
        case .failure(let error): throw failed(peer, PeerFailure(reason: "refused", message: "\(peer): \(error)"))
        }
        metrics.firstByte(ContinuousClock.now - started, from: peer)
        guard (200..<300).contains(response.head.status) else {
            let body = (try? await response.collect(upTo: 300)) ?? []
            response.cancel()
            throw failed(peer, PeerFailure(reason: "status", message: "\(peer) answered \(response.head.status): \(String(decoding: body, as: UTF8.self))"))
        }
        return response
    }

    /// Records that `peer` failed for `failure`'s reason: counted, logged, and skipped for the cooldown.
    @discardableResult
    func failed(_ peer: PeerAddress, _ failure: PeerFailure) -> PeerFailure {
        metrics.failed(peer, reason: failure.reason)
        let until = ContinuousClock.now + configuration.cooldown
        downUntil.withLock { $0[peer] = until }
        logger.warning("peer skipped", metadata: ["peer": "\(peer)", "reason": "\(failure.reason)", "error": "\(failure.message)"])
        return failure
    }

    /// The members, the live ones and any membership problem.
    public func status() -> PeerStatus {
        let members = membership.members()
        let now = ContinuousClock.now
        let down = downUntil.withLock { table in Set(table.filter { $0.value > now }.keys) }
        return PeerStatus(selfAddress: membership.selfAddress?.description, members: members.map(\.description),
                          live: members.filter { !down.contains($0) }.map(\.description), problems: membership.problems)
    }
}

/// Why a peer was not used as a source.
public struct PeerFailure: Error, CustomStringConvertible {
    /// A short label for metrics: `timeout`, `refused`, `status`, `broken`, `digest`, `length`.
    public var reason: String
    /// One sentence.
    public var message: String
    /// The message.
    public var description: String { message }
}
