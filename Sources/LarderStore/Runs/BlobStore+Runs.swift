import Foundation
import LarderAPI
import LMDB
import RunModel
import Synchronization

/// The run store: task records and named artifacts by `flow / run / step / task`, in the same environment as the
/// blobs. Artifacts are ordinary content-addressed blobs (so the same transcript in two runs is stored once),
/// pinned while any run references them: run data is the user's, not cache.
extension BlobStore {
    /// Stores (or replaces) a task record.
    public func putTaskRecord(_ record: TaskRecord) async throws {
        let id = record.identity
        let key = RunKeys.record(flow: id.flow, run: id.run, step: id.step, task: id.task, attempt: id.attempt)
        let value = try record.encoded()
        let dbs = databases
        let queued = OutboxEntry(change: .record, path: [id.flow, id.run, id.step, id.task], attempt: id.attempt)
        try await writes.perform { txn in
            try txn.put(dbs.runs, key: key, value: value)
            try self.enqueue(queued, in: txn)
        }
    }

    /// Records artifact `name` of a task, pointing at a stored blob, and pins the blob for the run.
    public func putArtifact(_ artifact: ArtifactReference, flow: String, run: String, step: String, task: String) async throws {
        guard let digest = BlobDigest(parsing: artifact.digest) else { throw StoreError.database("bad artifact digest \(artifact.digest)") }
        let key = RunKeys.join([flow, run, step, task, artifact.name])
        let value = try JSONEncoder().encode(artifact)
        let runRef = digest.bytes + RunKeys.join([flow, run])
        let dbs = databases
        let queued = OutboxEntry(change: .blob, path: [flow, run], digest: digest.description)
        try await writes.perform { txn in
            try txn.put(dbs.artifacts, key: key, value: value)
            try txn.put(dbs.runRefs, key: runRef, value: [UInt8]())
            try self.enqueue(queued, in: txn)
        }
        _ = try await setPinned(digest, true)
    }

    /// The artifact `name` of a task, or nil.
    public func artifact(flow: String, run: String, step: String, task: String, name: String) throws -> ArtifactReference? {
        try readTransaction { txn in
            guard let bytes = try txn.get(databases.artifacts, key: RunKeys.join([flow, run, step, task, name])) else { return nil }
            return try JSONDecoder().decode(ArtifactReference.self, from: Data(bytes))
        }
    }

    /// Every task record of a run (all attempts), in step, task, attempt order; empty when the run is unknown.
    public func taskRecords(flow: String, run: String) throws -> [TaskRecord] {
        try records(withPrefix: RunKeys.join([flow, run], open: true))
    }

    /// Every task record whose key starts with `prefix`, in key order.
    private func records(withPrefix prefix: [UInt8]) throws -> [TaskRecord] {
        try readTransaction { txn in
            try txn.withCursor(databases.runs) { cursor in
                var records: [TaskRecord] = []
                var entry = try cursor.seek(atLeast: prefix)
                while let current = entry, current.key.starts(with: prefix) {
                    records.append(try TaskRecord.decode(Data(current.value)))
                    entry = try cursor.next()
                }
                return records
            }
        }
    }

    /// Every task record of every run of `flow`, in run, step, task, attempt order.
    public func flowRecords(flow: String) throws -> [TaskRecord] {
        try records(withPrefix: RunKeys.join([flow], open: true))
    }

    /// The runs of `flow`, oldest start first.
    public func runSummaries(flow: String) throws -> [RunSummary] {
        Self.summaries(of: try flowRecords(flow: flow))
    }

    /// One summary per run of `records` (one flow's), oldest start first.
    public static func summaries(of records: [TaskRecord]) -> [RunSummary] {
        let byRun = Dictionary(grouping: records) { $0.identity.run }
        return byRun.map { run, tasks in
            let distinct = Set(tasks.map { "\($0.identity.step)/\($0.identity.task)" })
            return RunSummary(
                run: run,
                start: tasks.map(\.start).min().map(RFC3339Timestamp.string(from:)),
                end: tasks.map(\.end).max().map(RFC3339Timestamp.string(from:)),
                tasks: distinct.count)
        }.sorted { ($0.start ?? "", $0.run) < ($1.start ?? "", $1.run) }
    }

    /// Every flow with its number of runs.
    public func flowSummaries() throws -> [FlowSummary] {
        let runsByFlow: [String: Set<String>] = try readTransaction { txn in
            try txn.withCursor(databases.runs) { cursor in
                var result: [String: Set<String>] = [:]
                var entry = try cursor.first()
                while let current = entry {
                    let names = RunKeys.names(current.key, count: 2)
                    if names.count == 2 { result[names[0], default: []].insert(names[1]) }
                    entry = try cursor.next()
                }
                return result
            }
        }
        return runsByFlow.map { FlowSummary(flow: $0.key, runs: $0.value.count) }.sorted { $0.flow < $1.flow }
    }

    /// Removes a run's records and artifact entries; unpins artifact blobs no other run references (they then
    /// age out like any cache entry). Returns false when the run was unknown.
    public func removeRun(flow: String, run: String) async throws -> Bool {
        let prefix = RunKeys.join([flow, run], open: true)
        let runSuffix = RunKeys.join([flow, run])
        let dbs = databases
        let released: [BlobDigest]? = try await writes.perform { txn in
            var found = false
            var digests = Set<BlobDigest>()
            try txn.withCursor(dbs.runs) { cursor in
                while let current = try cursor.seek(atLeast: prefix), current.key.starts(with: prefix) {
                    try cursor.deleteCurrent()
                    found = true
                }
            }
            try txn.withCursor(dbs.artifacts) { cursor in
                while let current = try cursor.seek(atLeast: prefix), current.key.starts(with: prefix) {
                    if let artifact = try? JSONDecoder().decode(ArtifactReference.self, from: Data(current.value)),
                       let digest = BlobDigest(parsing: artifact.digest) {
                        digests.insert(digest)
                    }
                    try cursor.deleteCurrent()
                    found = true
                }
            }
            guard found else { return nil }
            try self.enqueue(OutboxEntry(change: .removeRun, path: [flow, run]), in: txn)
            var unreferenced: [BlobDigest] = []
            for digest in digests {
                try txn.delete(dbs.runRefs, key: digest.bytes + runSuffix)
                let stillUsed = try txn.withCursor(dbs.runRefs) { cursor in
                    try cursor.seek(atLeast: digest.bytes).map { $0.key.starts(with: digest.bytes) } ?? false
                }
                if !stillUsed { unreferenced.append(digest) }
            }
            return unreferenced
        }
        guard let released else { return false }
        for digest in released {
            _ = try await setPinned(digest, false)
        }
        return true
    }
}
