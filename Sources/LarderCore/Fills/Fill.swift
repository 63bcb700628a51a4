import LarderAPI
import LarderStore
import Synchronization

/// One upstream transfer into the store, shared by every client that asked for the same object while it runs.
///
/// The transfer runs in its own task, independent of the clients: a client that disconnects does not stop it
/// and a slow client does not slow it. Clients follow its progress (``Snapshot``) and read committed chunks from
/// the store as they land.
public final class Fill: Sendable {
    /// What clients need to start answering: where the chunks are and how long the object is.
    public struct Head: Sendable {
        /// The id the store writes the chunks under.
        public var blobID: UInt64
        /// The full length, when the upstream announced it.
        public var contentLength: Int64?
        /// The upstream's content type.
        public var mediaType: String?
        /// The digest the object must have, when the request named it.
        public var expected: BlobDigest?
        /// Where the first bytes came from: the upstream or a peer (the object's owner).
        public var origin: FillOrigin = .upstream

        /// The `X-Larder-Cache` word for a client of this fill: `peer` or `miss` for the client that started it
        /// (`started`), `coalesced` for one that joined.
        public func cacheOutcome(started: Bool) -> CacheAnswer {
            guard started else { return .coalesced }
            if case .peer = origin { return .peer }
            return .miss
        }
    }

    /// Where the fill stands.
    public enum Outcome: Sendable {
        /// Still transferring.
        case running
        /// Verified and published.
        case completed(BlobRecord)
        /// Failed; nothing was stored.
        case failed(LarderFailure)
    }

    /// A consistent view of the fill's progress.
    public struct Snapshot: Sendable {
        /// Known once the upstream answered with a success status.
        public var head: Head?
        /// Bytes committed to the store so far.
        public var committedBytes: Int64
        /// Whether the fill is running, done or failed.
        public var outcome: Outcome
        /// Increases with every change; pass it to ``waitForChange(after:)``.
        public var version: Int
    }

    private struct State {
        var snapshot = Snapshot(head: nil, committedBytes: 0, outcome: .running, version: 0)
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The single-flight key (the URL or the expected digest).
    public let key: String
    private let state = Mutex(State())

    init(key: String) {
        self.key = key
    }

    /// The current progress.
    public var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Returns once the fill changed after `version` (or at once if it already has).
    public func waitForChange(after version: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.snapshot.version > version { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Waits for the head, or for the failure that came instead.
    public func waitForHead() async throws(LarderFailure) -> Head {
        while true {
            let current = snapshot
            if let head = current.head { return head }
            if case .failed(let error) = current.outcome { throw error }
            await waitForChange(after: current.version)
        }
    }

    /// Waits until the fill published its blob, or throws the failure that came instead.
    public func waitForCompletion() async throws(LarderFailure) -> BlobRecord {
        while true {
            let current = snapshot
            switch current.outcome {
            case .completed(let record): return record
            case .failed(let error): throw error
            case .running: await waitForChange(after: current.version)
            }
        }
    }

    func update(_ change: (inout Snapshot) -> Void) {
        let waiters = state.withLock { state in
            change(&state.snapshot)
            state.snapshot.version += 1
            let waiters = state.waiters
            state.waiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
