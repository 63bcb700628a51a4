import Foundation
import RunModel

/// Wall time, per-step duration statistics with significance, and inferred critical paths.
enum TimingAnalysis {
    static func analyze(a: [TaskRecord], b: [TaskRecord], alpha: Double) -> TimingSection {
        let stepsA = TaskMatcher.grouped(a), stepsB = TaskMatcher.grouped(b)
        var names = stepsA.map(\.0)
        for (step, _) in stepsB where !names.contains(step) { names.append(step) }
        let steps = names.map { step -> StepTiming in
            let ta = stepsA.first { $0.0 == step }?.1 ?? []
            let tb = stepsB.first { $0.0 == step }?.1 ?? []
            let sa = stats(ta), sb = stats(tb)
            var timing = StepTiming(step: step, a: sa, b: sb, ratio: nil, significance: nil)
            if let sa, let sb, sa.median > 0 { timing.ratio = sb.median / sa.median }
            if ta.count >= 3, tb.count >= 3,
               let test = Statistics.mannWhitneyU(ta.map(\.durationSeconds), tb.map(\.durationSeconds)) {
                timing.significance = Significance(
                    test: "mann-whitney-u", p: test.p, significant: test.p < alpha,
                    method: test.exact ? "exact" : "normal", n: [ta.count, tb.count])
            }
            return timing
        }
        return TimingSection(
            wall: Pair(a: wall(a), b: wall(b)), steps: steps,
            criticalPathA: criticalPath(a), criticalPathB: criticalPath(b))
    }

    static func wall(_ tasks: [TaskRecord]) -> Double? {
        guard let start = tasks.map(\.start).min(), let end = tasks.map(\.end).max() else { return nil }
        return max(0, end.timeIntervalSince(start))
    }

    static func stats(_ tasks: [TaskRecord]) -> DurationStats? {
        let durations = tasks.map(\.durationSeconds)
        guard let median = Statistics.median(durations), let low = durations.min(), let high = durations.max()
        else { return nil }
        return DurationStats(
            tasks: tasks.count, median: median, min: low, max: high,
            taskSeconds: durations.reduce(0, +), spanSeconds: wall(tasks) ?? 0)
    }

    /// The chain ending with the last task to finish, each task's predecessor being the task
    /// that ended last at or before its start (the records carry no DAG, so the path is
    /// inferred from timestamps). At most 50 entries.
    static func criticalPath(_ tasks: [TaskRecord]) -> [PathEntry] {
        guard let origin = tasks.map(\.start).min() else { return [] }
        let byEnd = tasks.sorted { $0.end < $1.end }
        guard var current = byEnd.last else { return [] }
        var chain: [TaskRecord] = [current]
        let tolerance = 0.001
        while chain.count < 50 {
            let start = current.start.addingTimeInterval(tolerance)
            guard let predecessor = byEnd.last(where: { $0.end <= start && $0.start < current.start }) else { break }
            chain.append(predecessor)
            current = predecessor
        }
        chain.reverse()
        var entries: [PathEntry] = []
        var previousEnd = origin
        for task in chain {
            entries.append(PathEntry(
                step: task.identity.step, task: task.identity.task, node: task.node.name,
                offset: task.start.timeIntervalSince(origin), duration: task.durationSeconds,
                waitBefore: max(0, task.start.timeIntervalSince(previousEnd))))
            previousEnd = task.end
        }
        return entries
    }
}
