import Foundation
import LMDB

/// The durable outbox of run-store changes (``OutboxEntry``), filled in the transactions that make the changes
/// when ``StoreConfiguration/runOutbox`` is set, drained by a remote run tier.
extension BlobStore {
    /// Appends `entry` in `txn` (the change's own write transaction) when the outbox is on.
    func enqueue(_ entry: OutboxEntry, in txn: borrowing Transaction) throws {
        guard configuration.runOutbox else { return }
        let next = try txn.withCursor(databases.outbox) { cursor -> UInt64 in
            guard let last = try cursor.last() else { return 1 }
            return StoreKeys.readUInt64(last.key).map { $0 + 1 } ?? 1
        }
        try txn.put(databases.outbox, key: StoreKeys.bigEndian(next), value: try JSONEncoder().encode(entry))
    }

    /// Queues the removal of a run that is not stored here (recorded on other nodes, known from the remote tier).
    public func queueRemoteRemoval(flow: String, run: String) async throws {
        let entry = OutboxEntry(change: .removeRun, path: [flow, run])
        try await writes.perform { txn in try self.enqueue(entry, in: txn) }
    }

    /// Up to `limit` waiting entries, oldest first.
    public func outboxEntries(limit: Int) throws -> [QueuedOutboxEntry] {
        try readTransaction { txn in
            try txn.withCursor(databases.outbox) { cursor in
                var result: [QueuedOutboxEntry] = []
                var current = try cursor.first()
                while let item = current, result.count < limit {
                    if let sequence = StoreKeys.readUInt64(item.key),
                       let entry = try? JSONDecoder().decode(OutboxEntry.self, from: Data(item.value)) {
                        result.append(QueuedOutboxEntry(sequence: sequence, entry: entry))
                    }
                    current = try cursor.next()
                }
                return result
            }
        }
    }

    /// Removes entry `sequence` (sent, or superseded).
    public func removeOutboxEntry(_ sequence: UInt64) async throws {
        let dbs = databases
        try await writes.perform { txn in
            _ = try txn.delete(dbs.outbox, key: StoreKeys.bigEndian(sequence))
        }
    }

    /// How many entries wait and since when.
    public func outboxStatus() throws -> OutboxStatus {
        try readTransaction { txn in
            let depth = try txn.count(databases.outbox)
            let oldest = try txn.withCursor(databases.outbox) { cursor in
                try cursor.first().flatMap { try? JSONDecoder().decode(OutboxEntry.self, from: Data($0.value)) }?.queuedAt
            }
            return OutboxStatus(depth: depth, oldestQueuedAt: oldest)
        }
    }
}
