import RunModel

/// Summarises what each step's tasks fetched (the records' optional `fetches` sections), A against B.
///
/// Per step and run, over the tasks that recorded fetches: totals, hit ratios (by bytes and by
/// objects, counting the `hit` outcome only — coalesced and peer reads still waited on a fill),
/// seconds waiting (the records' wall time with a fetch in flight) in total, per task and as a share
/// of the same tasks' durations, tallies per outcome, and objects that more than one task downloaded
/// from upstream on the same node (found in the listed items; a record lists at most 1,000).
enum FetchAnalysis {
    /// Repeated downloads listed per summary.
    static let repeatedListed = 5

    /// The section, or nil when no task of either run fetched anything (records without `fetches` compare as
    /// before). A step is listed when a task of it fetched at least one object in either run; a section that
    /// records nothing fetched says only that, so such steps are left out.
    static func analyze(a: [TaskRecord], b: [TaskRecord]) -> FetchSection? {
        guard (a + b).contains(where: { ($0.fetches?.objects ?? 0) > 0 }) else { return nil }
        let stepsA = TaskMatcher.grouped(a), stepsB = TaskMatcher.grouped(b)
        var names = stepsA.map(\.0)
        for (step, _) in stepsB where !names.contains(step) { names.append(step) }
        let steps = names.compactMap { step -> StepFetches? in
            let left = stepsA.first { $0.0 == step }?.1 ?? [], right = stepsB.first { $0.0 == step }?.1 ?? []
            let summaryA = summary(left), summaryB = summary(right)
            guard (summaryA?.objects ?? 0) > 0 || (summaryB?.objects ?? 0) > 0 else { return nil }
            return StepFetches(step: step, tasksA: left.count, tasksB: right.count, a: summaryA, b: summaryB)
        }
        return FetchSection(steps: steps)
    }

    /// The fetches of one step in one run; nil when none of `tasks` recorded fetches.
    static func summary(_ tasks: [TaskRecord]) -> FetchSummary? {
        let recorded = tasks.compactMap { task in task.fetches.map { (task, $0) } }
        guard !recorded.isEmpty else { return nil }
        var byOutcome: [FetchOutcome: OutcomeTotals] = [:]
        for (_, fetches) in recorded {
            for (outcome, tally) in fetches.byOutcome {
                var totals = byOutcome[outcome] ?? OutcomeTotals(objects: 0, bytes: 0, seconds: 0)
                totals.objects += tally.objects
                totals.bytes += tally.bytes
                totals.seconds += tally.seconds
                byOutcome[outcome] = totals
            }
        }
        let objects = recorded.reduce(0) { $0 + $1.1.objects }
        let bytes = recorded.reduce(Int64(0)) { $0 + $1.1.bytes }
        let seconds = recorded.reduce(0.0) { $0 + $1.1.seconds }
        let duration = recorded.reduce(0.0) { $0 + $1.0.durationSeconds }
        let hit = byOutcome[.hit]
        let repeated = repeatedDownloads(recorded)
        return FetchSummary(
            tasks: recorded.count, objects: objects, bytes: bytes,
            upstreamBytes: recorded.reduce(Int64(0)) { $0 + $1.1.upstreamBytes },
            hitRatioBytes: bytes > 0 ? Double(hit?.bytes ?? 0) / Double(bytes) : nil,
            hitRatioObjects: objects > 0 ? Double(hit?.objects ?? 0) / Double(objects) : nil,
            seconds: seconds, meanSeconds: seconds / Double(recorded.count),
            maxSeconds: recorded.map { $0.1.seconds }.max() ?? 0,
            share: duration > 0 ? seconds / duration : nil,
            upstreamTasks: recorded.filter { waitedOnUpstream($0.1) }.count,
            byOutcome: Dictionary(uniqueKeysWithValues: byOutcome.map { ($0.key.rawValue, $0.value) }),
            repeatedObjects: repeated.reduce(0) { $0 + $1.downloads - 1 },
            repeatedBytes: repeated.reduce(Int64(0)) { $0 + $1.repeatedBytes },
            repeated: Array(repeated.prefix(repeatedListed)))
    }

    /// Whether a task had at least one fetch that waited on upstream (`miss` or `coalesced`).
    static func waitedOnUpstream(_ fetches: TaskFetches) -> Bool {
        (fetches.byOutcome[.miss]?.objects ?? 0) + (fetches.byOutcome[.coalesced]?.objects ?? 0) > 0
    }

    /// Objects that more than one task downloaded from upstream (`upstreamBytes > 0`) on the same node,
    /// most repeated bytes first. A node's cache should have answered every download after the first.
    static func repeatedDownloads(_ recorded: [(TaskRecord, TaskFetches)]) -> [RepeatedDownload] {
        struct Key: Hashable { var node: String; var object: String }
        var downloads: [Key: [(task: String, start: Double, bytes: Int64)]] = [:]
        var order: [Key] = []
        for (task, fetches) in recorded {
            for item in fetches.items where item.upstreamBytes > 0 {
                let key = Key(node: task.node.name, object: objectName(item))
                if downloads[key] == nil { order.append(key) }
                downloads[key, default: []].append((task.identity.task, item.start.timeIntervalSince1970, item.upstreamBytes))
            }
        }
        var result: [RepeatedDownload] = []
        for key in order {
            let list = (downloads[key] ?? []).sorted { $0.start < $1.start }
            let tasks = Set(list.map(\.task)).count
            guard tasks >= 2 else { continue }
            let repeatedBytes = list.dropFirst().reduce(Int64(0)) { $0 + $1.bytes }
            result.append(RepeatedDownload(object: key.object, node: key.node, tasks: tasks, downloads: list.count,
                                           repeatedBytes: repeatedBytes))
        }
        return result.sorted { ($0.repeatedBytes, $1.object) > ($1.repeatedBytes, $0.object) }
    }

    /// `ref`, plus ` path` for a file of a repository reference; the digest when there is no reference.
    static func objectName(_ item: FetchedObject) -> String {
        let base = item.ref.isEmpty ? (item.digest ?? "") : item.ref
        return item.path.map { base + " " + $0 } ?? base
    }
}
