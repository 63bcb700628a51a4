import LarderCore
import Synchronization

/// Admission control for response bodies that stream blob bytes: at most `limit` run at once.
///
/// Each streaming response holds a small, bounded amount of memory (see `BlobStreamer.sliceBytes`), so the limit
/// bounds the memory of all readers together. A request past the limit is refused with `503` and `Retry-After`
/// instead of queueing without bound. When the last stream of a burst ends, freed heap memory is handed back to
/// the kernel (`ProcessMemory.trim`), so the resident size returns near its idle level.
public final class BodyStreamGate: Sendable {
    /// The most body streams that may run at once.
    public let limit: Int
    private let active = Mutex<Int>(0)
    private let metrics: LarderMetrics

    /// Creates a gate admitting at most `limit` concurrent body streams (at least 1).
    public init(limit: Int, metrics: LarderMetrics) {
        self.limit = max(1, limit)
        self.metrics = metrics
    }

    /// Streams running now.
    public var current: Int { active.withLock { $0 } }

    /// Takes a slot, or throws `503 too_many_streams` when every slot is taken.
    func acquire() throws -> BodyStreamSlot {
        let admitted = active.withLock { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            metrics.streamsRefused.increment()
            var error = LarderError(.unavailable, "too_many_streams",
                                    "\(limit) downloads are running on this node (the --max-streams limit); retry shortly")
            error.headers[.retryAfter] = "1"
            throw error
        }
        metrics.streamsActive.increment()
        return BodyStreamSlot(gate: self)
    }

    fileprivate func release() {
        let now = active.withLock { count -> Int in
            count -= 1
            return count
        }
        metrics.streamsActive.decrement()
        if now == 0 { ProcessMemory.trim() }
    }
}

/// One admitted body stream; `release()` gives its slot back exactly once.
final class BodyStreamSlot: Sendable {
    private let gate: BodyStreamGate
    private let released = Atomic<Bool>(false)

    fileprivate init(gate: BodyStreamGate) { self.gate = gate }

    /// Gives the slot back; later calls do nothing.
    func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { gate.release() }
    }

    deinit { release() }
}
