import Foundation
import LarderAPI
import LarderStore
import Logging
import RunArchive
import RunModel
import Synchronization

/// Drains the store's durable outbox into S3: task records as `PREFIX/runs/<flow>/<run>/<step>/<task>/<attempt>.json`,
/// artifact blobs as `PREFIX/blobs/sha256/<hex>` (skipped when already there), removed runs deleted.
///
/// An entry leaves the outbox only once S3 has acknowledged it, so nothing is lost across S3 outages or restarts;
/// an entry sent twice (a crash between the upload and the removal) writes the same object again. Failures back
/// off exponentially up to a minute; ``poke()`` (a new entry) wakes the loop at once.
public final class RunTierUploader: Sendable {
    let store: BlobStore
    let s3: S3Client
    let logger: Logger
    private let counters = Mutex(RunTierStatus(location: "", outboxDepth: 0, outboxAgeSeconds: 0, recordsSent: 0,
                                               blobsSent: 0, blobsSkipped: 0, runsRemoved: 0, lastError: nil))
    private let poked = Atomic<Bool>(false)

    /// Creates an uploader from `store`'s outbox to `s3`.
    public init(store: BlobStore, s3: S3Client, logger: Logger) {
        self.store = store
        self.s3 = s3
        self.logger = logger
        counters.withLock { $0.location = s3.configuration.location.description }
    }

    /// Signals that new entries are waiting.
    public func poke() { poked.store(true, ordering: .releasing) }

    /// The counters and the outbox's depth and age now.
    public func status() -> RunTierStatus {
        var status = counters.withLock { $0 }
        if let outbox = try? store.outboxStatus() {
            status.outboxDepth = outbox.depth
            status.outboxAgeSeconds = outbox.oldestQueuedAt.map { max(0, Date().timeIntervalSince1970 - $0) } ?? 0
        }
        return status
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var backoff: Double = 0.5
        while !Task.isCancelled {
            let progressed: Bool
            do {
                progressed = try await drainOnce()
                backoff = 0.5
                counters.withLock { $0.lastError = nil }
            } catch {
                counters.withLock { $0.lastError = "\(error)" }
                logger.warning("run tier upload failed; will retry", metadata: ["error": "\(error)", "retry_in_s": "\(backoff)"])
                try? await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
                backoff = min(backoff * 2, 60)
                continue
            }
            if !progressed {
                // Idle: look again after a poke (checked every 50 ms) or after a second at the latest.
                var waited = 0
                while waited < 20 && !poked.exchange(false, ordering: .acquiringAndReleasing) && !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(50))
                    waited += 1
                }
            }
        }
    }

    /// Sends one batch; returns whether there was anything to send. Entries run concurrently up to the configured
    /// width, except that a removed run is a barrier (a record of it must not be re-created after the removal).
    func drainOnce() async throws -> Bool {
        let batch = try store.outboxEntries(limit: 256)
        guard !batch.isEmpty else { return false }
        var segment: [QueuedOutboxEntry] = []
        for queued in batch {
            if queued.entry.change == .removeRun {
                try await sendConcurrently(segment)
                segment = []
                try await send(queued)
            } else {
                segment.append(queued)
            }
        }
        try await sendConcurrently(segment)
        return true
    }

    private func sendConcurrently(_ entries: [QueuedOutboxEntry]) async throws {
        let width = max(1, s3.configuration.concurrency)
        var start = 0
        while start < entries.count {
            let slice = entries[start..<min(start + width, entries.count)]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for queued in slice { group.addTask { try await self.send(queued) } }
                try await group.waitForAll()
            }
            start += width
        }
    }

    /// Sends one entry and removes it from the outbox.
    private func send(_ queued: QueuedOutboxEntry) async throws {
        let entry = queued.entry
        switch entry.change {
        case .record:
            try await sendRecord(entry)
        case .blob:
            try await sendBlob(entry)
        case .removeRun:
            try await removeRun(entry)
        }
        try await store.removeOutboxEntry(queued.sequence)
    }

    private func sendRecord(_ entry: OutboxEntry) async throws {
        guard entry.path.count == 4, let attempt = entry.attempt else { return }
        let records = try store.taskRecords(flow: entry.path[0], run: entry.path[1])
        guard let record = records.first(where: {
            $0.identity.step == entry.path[2] && $0.identity.task == entry.path[3] && $0.identity.attempt == attempt
        }) else { return }  // removed since: nothing to send
        try await s3.put(RunArchiveKeys.record(s3.configuration.location, record.identity), bytes: Array(try record.encoded()),
                         contentType: "application/json")
        counters.withLock { $0.recordsSent += 1 }
    }

    private func sendBlob(_ entry: OutboxEntry) async throws {
        guard let text = entry.digest, let digest = BlobDigest(parsing: text) else { return }
        let key = RunArchiveKeys.blob(s3.configuration.location, digest)
        if try await s3.exists(key) {
            counters.withLock { $0.blobsSkipped += 1 }
            return
        }
        guard let handle = try store.open(digest) else {
            logger.warning("artifact blob no longer in the store; not sent to S3", metadata: ["digest": "\(text)"])
            return
        }
        defer { handle.release() }
        let reader = StoredBlobUploadReader(store: store, handle: handle)
        let mediaType = handle.record.mediaType ?? "application/octet-stream"
        if handle.record.size > s3.configuration.partSize {
            try await s3.putMultipart(key, reader: reader, contentType: mediaType)
        } else {
            try await s3.put(key, body: .reader(reader), sha256: digest.hex, contentType: mediaType)
        }
        counters.withLock { $0.blobsSent += 1 }
    }

    private func removeRun(_ entry: OutboxEntry) async throws {
        guard entry.path.count == 2 else { return }
        let prefix = RunArchiveKeys.runPrefix(s3.configuration.location, flow: entry.path[0], run: entry.path[1])
        for object in try await s3.list(prefix: prefix).objects {
            try await s3.delete(object.key)
        }
        counters.withLock { $0.runsRemoved += 1 }
    }
}
