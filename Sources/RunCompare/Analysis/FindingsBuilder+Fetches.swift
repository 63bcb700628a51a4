import RunModel

/// When download waste is a finding (documented in docs/runcmp/README.md, "Findings and time lost").
///
/// `fetching` fires for a step in one run when its tasks waited on fetches for at least ``minimumShare`` of their
/// summed durations, at least ``minimumSecondsPerTask`` per task on average, and not every object was a hit
/// (something came from upstream or a peer, so pre-warming helps). `repeated-download` fires when the upstream
/// bytes that tasks of a step downloaded again on a node that already had them reach ``minimumRepeatedBytes``.
public enum FetchWasteRule {
    /// Share of the tasks' time spent waiting on fetches.
    public static let minimumShare = 0.10
    /// Mean seconds per task spent waiting on fetches.
    public static let minimumSecondsPerTask = 5.0
    /// Upstream bytes downloaded again on one node.
    public static let minimumRepeatedBytes: Int64 = 1_000_000
    /// The other run counts as having fetched "from cache" when at least this share of its bytes were hits.
    public static let fromCacheHitRatio = 0.9
}

extension FindingsBuilder {
    /// `fetching` and `repeated-download` findings for every step and run with recorded fetches.
    static func fetchFindings(_ report: ComparisonReport) -> [Finding] {
        guard let section = report.fetches else { return [] }
        var result: [Finding] = []
        for step in section.steps {
            for (side, summary, other, otherTasks, info) in [
                ("A", step.a, step.b, step.tasksB, report.runs.a), ("B", step.b, step.a, step.tasksA, report.runs.b),
            ] {
                guard let summary else { continue }
                let otherSide = side == "A" ? "B" : "A"
                let waste = fetchingFinding(side: side, step: step.step, summary: summary, otherSide: otherSide, other: other,
                                            otherTasks: otherTasks, run: info)
                if let waste { result.append(waste) }
                if let repeated = repeatedFinding(side: side, step: step.step, summary: summary, run: info) {
                    result.append(repeated)
                }
            }
        }
        return result
    }

    /// Whether a step's fetches waited long enough, and on something other than the node's cache, to be worth pre-warming.
    static func isFetchWaste(_ summary: FetchSummary) -> Bool {
        guard let share = summary.share else { return false }
        return share >= FetchWasteRule.minimumShare && summary.meanSeconds >= FetchWasteRule.minimumSecondsPerTask
            && (summary.hitRatioObjects ?? 1) < 1
    }

    static func fetchingFinding(side: String, step: String, summary: FetchSummary, otherSide: String, other: FetchSummary?,
                                otherTasks: Int, run: RunInfo) -> Finding? {
        guard isFetchWaste(summary), let share = summary.share else { return nil }
        var title = "step `\(step)` in \(side) spent \(Format.percent(share)) of its time fetching " + fetchedWhat(summary)
        if let other {
            let fromCache = (other.hitRatioBytes ?? 0) >= FetchWasteRule.fromCacheHitRatio
            title += "; \(otherSide) " + (fromCache ? "fetched from cache in " : "waited ") + Format.duration(other.meanSeconds)
                + (fromCache ? "" : " per task")
        } else if otherTasks > 0 {
            title += "; \(otherSide)'s fetches were not recorded"
        }
        var evidence = ["\(side): " + describe(summary)]
        if let other { evidence.append("\(otherSide): " + describe(other)) }
        // Pre-warming leaves a hit's wait; without the other run's figure, count the part not served by hits.
        let lost = other.map { max(0, summary.meanSeconds - $0.meanSeconds) }
            ?? summary.meanSeconds * (1 - (summary.hitRatioBytes ?? 0))
        return Finding(
            rank: 0, kind: "fetching", side: side, step: step, title: title, evidence: evidence,
            action: "pre-warm with `larder warm --from-run \(run.flow)/\(run.run) --step \(step) --pin` "
                + "on the nodes before the next run",
            estimatedSecondsLost: lost)
    }

    /// `3.1 GB from upstream on every task`, `3.1 GB from upstream on 2 of 3 tasks`, or `151 MB from peers per task`.
    static func fetchedWhat(_ summary: FetchSummary) -> String {
        let upstream = (summary.byOutcome[FetchOutcome.miss.rawValue]?.bytes ?? 0)
            + (summary.byOutcome[FetchOutcome.coalesced.rawValue]?.bytes ?? 0)
        if summary.upstreamTasks > 0 {
            let each = Format.bytes(upstream / Int64(summary.upstreamTasks))
            return summary.upstreamTasks == summary.tasks
                ? "\(each) from upstream on every task"
                : "\(each) from upstream on \(summary.upstreamTasks) of \(summary.tasks) tasks"
        }
        let peer = summary.byOutcome[FetchOutcome.peer.rawValue]?.bytes ?? 0
        return "\(Format.bytes(peer / Int64(max(summary.tasks, 1)))) from peers per task"
    }

    /// `3 tasks waited 5m13s each (15m39s in all, longest 5m25s) for 9 objects, 9.3 GB (3.1 GB from upstream); hits 0.0% of bytes, …`
    static func describe(_ s: FetchSummary) -> String {
        let outcomes = FetchOutcome.allCases.compactMap { outcome in
            s.byOutcome[outcome.rawValue].map { "\($0.objects) \(outcome.rawValue)" }
        }.joined(separator: ", ")
        return "\(s.tasks) task\(s.tasks == 1 ? "" : "s") waited \(Format.duration(s.meanSeconds)) each "
            + "(\(Format.percent(s.share)) of task time; \(Format.duration(s.seconds)) in all, longest \(Format.duration(s.maxSeconds))) "
            + "for \(s.objects) objects, \(Format.bytes(s.bytes)) (\(Format.bytes(s.upstreamBytes)) from upstream); "
            + "hits \(Format.percent(s.hitRatioBytes)) of bytes, \(Format.percent(s.hitRatioObjects)) of objects"
            + (outcomes.isEmpty ? "" : " (\(outcomes))")
    }

    static func repeatedFinding(side: String, step: String, summary: FetchSummary, run: RunInfo) -> Finding? {
        guard summary.repeatedBytes >= FetchWasteRule.minimumRepeatedBytes, let first = summary.repeated.first else { return nil }
        let evidence = summary.repeated.map { item in
            "\(item.object): downloaded \(item.downloads)× by \(item.tasks) tasks on node \(item.node) "
                + "(\(Format.bytes(item.repeatedBytes)) again)"
        }
        return Finding(
            rank: 0, kind: "repeated-download", side: side, step: step,
            title: "tasks of step `\(step)` in \(side) downloaded the same objects from upstream again on one node: "
                + "\(summary.repeatedObjects) repeated download\(summary.repeatedObjects == 1 ? "" : "s"), "
                + "\(Format.bytes(summary.repeatedBytes))" + (summary.repeated.count == 1 ? " (\(first.object))" : ""),
            evidence: evidence + ["a node's cache should have answered every download after the first: the cache was missing, "
                + "bypassed, or evicted the objects between tasks"],
            action: "send the tasks' downloads through the node's Larder (`larder run` sets HF_ENDPOINT and LARDER_SERVER), "
                + "keep its data directory across pods, and pin what the run needs "
                + "(`larder warm --from-run \(run.flow)/\(run.run) --step \(step) --pin`)",
            // Bandwidth and upstream load; the wait itself is counted by `fetching` when it mattered.
            estimatedSecondsLost: 0)
    }
}
