import Foundation
import RunModel
import Synchronization

/// The objects one task was served, kept in bounded memory: the first `limit` entries are listed, every entry is
/// counted in the totals, and the wall time with at least one fetch in flight is kept as a bounded union of
/// intervals (see ``FetchIntervals``).
public final class TaskFetchLog: Sendable {
    private struct State {
        var items: [FetchedObject] = []
        var omitted = 0
        var objects = 0
        var bytes: Int64 = 0
        var upstreamBytes: Int64 = 0
        var byOutcome: [FetchOutcome: FetchTally] = [:]
        var intervals: FetchIntervals
        /// Set once the listed entries went back to the budget: later entries (a body still being sent when the task
        /// was collected) are only counted.
        var closed = false
    }

    /// The most entries listed; later ones are counted only.
    public let limit: Int
    /// Entries listed by every log sharing it (nil: only ``limit`` bounds this log).
    let budget: ListingBudget?
    private let state: Mutex<State>

    /// An empty log listing at most `limit` entries (and none past a shared `budget`), keeping at most
    /// `intervalLimit` disjoint busy intervals.
    public init(limit: Int = TaskFetches.itemLimit, intervalLimit: Int = 4096, budget: ListingBudget? = nil) {
        self.limit = max(0, limit)
        self.budget = budget
        self.state = Mutex(State(intervals: FetchIntervals(limit: intervalLimit)))
    }

    /// Adds one served object.
    public func record(_ fetch: FetchedObject) {
        state.withLock { state in
            if !state.closed, state.items.count < limit, budget?.take() ?? true {
                state.items.append(fetch)
            } else {
                state.omitted += 1
            }
            state.objects += 1
            state.bytes += fetch.bytes
            state.upstreamBytes += fetch.upstreamBytes
            state.byOutcome[fetch.outcome, default: FetchTally()].add(fetch)
            let start = fetch.start.timeIntervalSinceReferenceDate
            state.intervals.add(start: start, end: start + max(0, fetch.seconds))
        }
    }

    /// Objects recorded so far (listed or not).
    public var count: Int { state.withLock { $0.objects } }

    /// Gives the log's listed entries back to the shared budget (when the log is dropped or collected).
    func releaseBudget() {
        let listed = state.withLock { state -> Int in
            guard !state.closed else { return 0 }
            state.closed = true
            return state.items.count
        }
        budget?.give(listed)
    }

    /// The `fetches` section of the task's record: totals over everything recorded, the listed entries by start time.
    public func summary() -> TaskFetches {
        state.withLock { state in
            TaskFetches(objects: state.objects, bytes: state.bytes, upstreamBytes: state.upstreamBytes,
                        seconds: state.intervals.totalSeconds, byOutcome: state.byOutcome,
                        items: state.items.sorted { $0.start < $1.start }, itemsOmitted: state.omitted)
        }
    }
}

/// Entries all task logs together may list, so that many tasks with many fetches each stay within a fixed memory
/// bound; past it, entries are still counted in their task's totals (as `itemsOmitted`).
public final class ListingBudget: Sendable {
    /// The most entries listed at once.
    public let limit: Int
    private let used = Mutex<Int>(0)

    /// A budget of `limit` entries.
    public init(limit: Int) { self.limit = max(0, limit) }

    /// Takes one entry; false when none is left.
    func take() -> Bool {
        used.withLock { used in
            guard used < limit else { return false }
            used += 1
            return true
        }
    }

    /// Returns `count` entries.
    func give(_ count: Int) { used.withLock { $0 = max(0, $0 - count) } }

    /// Entries listed now.
    public var current: Int { used.withLock { $0 } }
}

/// A union of time intervals (seconds since a reference date) in at most `limit` disjoint pieces.
///
/// Past the limit the two pieces with the smallest gap between them are joined, so the total can only
/// over-count, by at most the sum of the gaps closed that way.
struct FetchIntervals: Sendable {
    /// Disjoint pieces, sorted by start.
    private(set) var pieces: [(start: Double, end: Double)] = []
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    /// Adds `[start, end]`, merging it with the pieces it touches.
    mutating func add(start: Double, end: Double) {
        var lower = start
        var upper = max(start, end)
        // First piece that ends at or after `lower`: everything before it is untouched.
        var index = pieces.partitioningIndex { $0.end >= lower }
        let first = index
        while index < pieces.count, pieces[index].start <= upper {
            lower = min(lower, pieces[index].start)
            upper = max(upper, pieces[index].end)
            index += 1
        }
        pieces.replaceSubrange(first..<index, with: [(lower, upper)])
        if pieces.count > limit { joinClosestPair() }
    }

    /// Seconds covered.
    var totalSeconds: Double { pieces.reduce(0) { $0 + ($1.end - $1.start) } }

    private mutating func joinClosestPair() {
        var best = 0
        var bestGap = Double.infinity
        for index in 0..<(pieces.count - 1) {
            let gap = pieces[index + 1].start - pieces[index].end
            if gap < bestGap {
                bestGap = gap
                best = index
            }
        }
        pieces.replaceSubrange(best...(best + 1), with: [(pieces[best].start, pieces[best + 1].end)])
    }
}

extension Array {
    /// The first index whose element satisfies `belongs` (elements are partitioned: false ones first).
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
