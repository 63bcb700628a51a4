import Foundation
import LarderAPI
import LarderStore
import RunArchive
import RunModel

/// The run store as clients see it: the local store, merged with the S3 run tier when one is configured, so that
/// any node answers for every task of a run wherever it was recorded. Local records win over remote copies of the
/// same attempt (they are the same record, or newer and not yet uploaded).
public struct RunCatalog: Sendable {
    /// The local store.
    public let store: BlobStore
    /// The run tier, when configured.
    public let tier: RunTier?

    /// Creates a catalog over `store` and `tier`.
    public init(store: BlobStore, tier: RunTier?) {
        self.store = store
        self.tier = tier
    }

    /// Every flow with its number of runs.
    public func flowSummaries() async throws -> [FlowSummary] {
        let local = try store.flowSummaries()
        guard let tier else { return local }
        var runs: [String: Set<String>] = [:]
        for summary in local {
            runs[summary.flow, default: []].formUnion(try store.runSummaries(flow: summary.flow).map(\.run))
        }
        try await LarderFailure.mappingS3 {
            for flow in try await tier.reader.flowNames() {
                runs[flow, default: []].formUnion(try await tier.reader.runIDs(flow: flow))
            }
        }
        return runs.map { FlowSummary(flow: $0.key, runs: $0.value.count) }.sorted { $0.flow < $1.flow }
    }

    /// The runs of `flow`, oldest start first.
    public func runSummaries(flow: String) async throws -> [RunSummary] {
        guard let tier else { return try store.runSummaries(flow: flow) }
        let local = try store.flowRecords(flow: flow)
        let remote = try await LarderFailure.mappingS3 {
            try await tier.reader.records(under: RunArchiveKeys.flowPrefix(tier.s3.configuration.location, flow: flow))
        }
        return BlobStore.summaries(of: Self.merge(local: local, remote: remote))
    }

    /// Every task record of a run (all attempts), in step, task, attempt order. With `maxAge`, a listing of the
    /// run in S3 made that recently is reused.
    public func taskRecords(flow: String, run: String, maxAge: Duration = .zero) async throws -> [TaskRecord] {
        let local = try store.taskRecords(flow: flow, run: run)
        guard let tier else { return local }
        let remote = try await LarderFailure.mappingS3 {
            try await tier.reader.records(under: RunArchiveKeys.runPrefix(tier.s3.configuration.location, flow: flow, run: run),
                                          maxAge: maxAge)
        }
        return Self.merge(local: local, remote: remote)
    }

    /// How stale the run listing behind an artifact look-up may be: records are immutable once written, and a client
    /// reading a run's artifacts has just listed the run.
    static let artifactListingAge: Duration = .seconds(30)

    /// The artifact `name` of a task: from the local store, else from the task's latest record (local or remote).
    public func artifact(flow: String, run: String, step: String, task: String, name: String) async throws -> ArtifactReference? {
        if let local = try store.artifact(flow: flow, run: run, step: step, task: task, name: name) { return local }
        guard tier != nil else { return nil }
        // A recent listing first; when it does not name the artifact (recorded since), a fresh one.
        for maxAge in [Self.artifactListingAge, .zero] {
            let attempts = try await taskRecords(flow: flow, run: run, maxAge: maxAge)
                .filter { $0.identity.step == step && $0.identity.task == task }
            let latest = attempts.max { $0.identity.attempt < $1.identity.attempt }
            if let found = latest?.artifacts.first(where: { $0.name == name }) { return found }
        }
        return nil
    }

    /// Removes the oldest runs of `flow` beyond the newest `keep` (by first task start), wherever they were recorded:
    /// runs stored here are removed here (and, with a run tier, queued for removal from it); runs only in the tier are
    /// queued for removal from it. Returns the removed run ids, oldest first.
    public func applyRetention(flow: String, keep: Int) async throws -> [String] {
        let summaries = try await runSummaries(flow: flow)
        guard summaries.count > keep else { return [] }
        var removed: [String] = []
        for old in summaries.prefix(summaries.count - max(0, keep)) {
            if try await store.removeRun(flow: flow, run: old.run) {
                removed.append(old.run)
            } else if tier != nil {
                try await store.queueRemoteRemoval(flow: flow, run: old.run)
                removed.append(old.run)
            }
        }
        if !removed.isEmpty { tier?.uploader.poke() }
        return removed
    }

    /// Local and remote records, one per attempt (the local one when both exist), in step, task, attempt order.
    static func merge(local: [TaskRecord], remote: [TaskRecord]) -> [TaskRecord] {
        func key(_ record: TaskRecord) -> String {
            let id = record.identity
            return "\(id.flow)\u{0}\(id.run)\u{0}\(id.step)\u{0}\(id.task)\u{0}\(id.attempt)"
        }
        var byKey: [String: TaskRecord] = [:]
        for record in remote { byKey[key(record)] = record }
        for record in local { byKey[key(record)] = record }
        return byKey.values.sorted {
            ($0.identity.run, $0.identity.step, $0.identity.task, $0.identity.attempt)
                < ($1.identity.run, $1.identity.step, $1.identity.task, $1.identity.attempt)
        }
    }
}
