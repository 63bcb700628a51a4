import Foundation
import LarderAPI
import RunModel
import Synchronization

/// The tasks this node attributes fetches to: `larder run` registers a task and gets a token, the task's clients
/// reach the server below `/t/<token>/…`, every object served there is added to the task's ``TaskFetchLog``, and at
/// the task's end `larder run` collects the log (which ends the registration).
///
/// Memory is bounded: each log lists at most `itemLimit` entries and all logs together at most ``listing``'s limit
/// (past either, entries are only counted), a registration not used for ``idleExpiry`` is dropped, and past
/// ``maxTasks`` live registrations the one idle longest is dropped to make room.
public final class TaskAttribution: Sendable {
    /// One registered task.
    public struct Registration: Sendable {
        /// The task attempt.
        public let identity: TaskIdentity
        /// Its token (32 lowercase hex digits).
        public let token: String
        /// What it was served.
        public let log: TaskFetchLog
    }

    private struct Entry {
        let registration: Registration
        var lastUsed: Double
    }

    /// Live registrations at most.
    public let maxTasks: Int
    /// Entries all live registrations together list at most (each ~0.5 KB).
    public let listing: ListingBudget
    /// How long a registration lives without a request or a fetch through it.
    public let idleExpiry: Duration
    private let itemLimit: Int
    private let now: @Sendable () -> Double
    private let entries = Mutex<[String: Entry]>([:])

    /// A registry; `now` (seconds on any monotonic scale) is replaceable for tests.
    public init(maxTasks: Int = 1024, idleExpiry: Duration = .seconds(24 * 3600), itemLimit: Int = TaskFetches.itemLimit,
                listedLimit: Int = 100_000, now: @escaping @Sendable () -> Double = TaskAttribution.monotonicSeconds) {
        self.maxTasks = max(1, maxTasks)
        self.listing = ListingBudget(limit: listedLimit)
        self.idleExpiry = idleExpiry
        self.itemLimit = itemLimit
        self.now = now
    }

    /// Seconds since an arbitrary start, never going back.
    public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Registers `identity` and returns its new registration.
    public func register(_ identity: TaskIdentity) -> Registration {
        let registration = Registration(identity: identity, token: Self.newToken(), log: TaskFetchLog(limit: itemLimit, budget: listing))
        let time = now()
        entries.withLock { entries in
            expire(&entries, at: time)
            if entries.count >= maxTasks,
               let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
                entries.removeValue(forKey: oldest)?.registration.log.releaseBudget()
            }
            entries[registration.token] = Entry(registration: registration, lastUsed: time)
        }
        return registration
    }

    /// The live registration of `token`, marked as used; throws `404 unknown_task_token` naming it otherwise.
    public func registration(_ token: Substring) throws(LarderFailure) -> Registration {
        let time = now()
        let found = entries.withLock { entries -> Registration? in
            expire(&entries, at: time)
            guard Self.isWellFormed(token), var entry = entries[String(token)] else { return nil }
            entry.lastUsed = time
            entries[String(token)] = entry
            return entry.registration
        }
        guard let found else { throw Self.unknown(token) }
        return found
    }

    /// Ends the registration of `token` for the task `identity` (flow, run, step and task must match) and returns what
    /// it was served; throws `404 unknown_task_token` when there is no such live registration.
    public func collect(_ token: Substring, for identity: TaskIdentity) throws(LarderFailure) -> TaskFetches {
        let time = now()
        let found = entries.withLock { entries -> Registration? in
            expire(&entries, at: time)
            guard Self.isWellFormed(token), let entry = entries[String(token)],
                  entry.registration.identity.pathspec == identity.pathspec else { return nil }
            entries[String(token)] = nil
            return entry.registration
        }
        guard let found else { throw Self.unknown(token) }
        defer { found.log.releaseBudget() }
        return found.log.summary()
    }

    /// Live registrations.
    public var count: Int {
        let time = now()
        return entries.withLock { entries in
            expire(&entries, at: time)
            return entries.count
        }
    }

    private func expire(_ entries: inout [String: Entry], at time: Double) {
        let limit = idleExpiry.seconds
        for (token, entry) in entries where time - entry.lastUsed > limit {
            entries[token] = nil
            entry.registration.log.releaseBudget()
        }
    }

    /// Whether `token` has a token's shape (32 lowercase hex digits).
    public static func isWellFormed(_ token: Substring) -> Bool {
        token.utf8.count == 32 && token.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let word = UInt32.random(in: .min ... .max, using: &generator)
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }

    static func unknown(_ token: Substring) -> LarderFailure {
        let shown = String(token.prefix(64)).unicodeScalars.map { $0.isASCII && $0.value >= 32 ? String($0) : "?" }.joined()
        return .notFound("unknown_task_token", "task token \"\(shown)\" is not registered on this node (it expired, was collected, "
                             + "or the server restarted); fetches still work without the /t/<token> prefix")
    }
}
