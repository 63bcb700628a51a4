import Foundation

/// One run-store change waiting in the durable outbox to be sent to a remote run tier.
///
/// Added in the same write transaction as the change itself, so a change that is committed locally is never
/// forgotten by the tier, across crashes and outages; removed once the tier has it.
public struct OutboxEntry: Codable, Sendable, Hashable {
    /// What changed.
    public enum Change: String, Codable, Sendable {
        /// A task record was stored: send it.
        case record
        /// An artifact blob was stored for a run: send its bytes (content-addressed).
        case blob
        /// A run was removed: remove its records remotely.
        case removeRun
    }

    /// What changed.
    public var change: Change
    /// The names it concerns: flow, run, step, task for a record; flow, run for a blob or a removed run.
    public var path: [String]
    /// The record's attempt.
    public var attempt: Int?
    /// The blob's digest (`sha256:…`).
    public var digest: String?
    /// When the change was queued (seconds since 1970).
    public var queuedAt: Double

    /// Creates an entry queued now.
    public init(change: Change, path: [String], attempt: Int? = nil, digest: String? = nil, queuedAt: Double = Date().timeIntervalSince1970) {
        self.change = change
        self.path = path
        self.attempt = attempt
        self.digest = digest
        self.queuedAt = queuedAt
    }
}

/// An outbox entry with its place in the queue.
public struct QueuedOutboxEntry: Sendable, Hashable {
    /// Its sequence number (the queue's order; removing it needs it).
    public var sequence: UInt64
    /// The change.
    public var entry: OutboxEntry
}

/// How full the outbox is.
public struct OutboxStatus: Sendable, Hashable {
    /// Entries waiting.
    public var depth: Int
    /// When the oldest waiting entry was queued (seconds since 1970); nil when empty.
    public var oldestQueuedAt: Double?
}
