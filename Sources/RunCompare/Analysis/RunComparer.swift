import Foundation
import RunModel

/// Options of a comparison.
public struct ComparisonOptions: Sendable, Equatable {
    /// Text normalisation for WER.
    public var normalization: TextNormalization = .basic
    /// The recommendation rule (percentile and margins).
    public var rule = RecommendationRule()
    /// Significance level of the Mann–Whitney U test.
    public var alpha = 0.05
    /// Word-diff hunks per text.
    public var diffHunks = 3

    /// Creates options with the defaults.
    public init(normalization: TextNormalization = .basic, rule: RecommendationRule = RecommendationRule(),
                alpha: Double = 0.05, diffHunks: Int = 3) {
        self.normalization = normalization
        self.rule = rule
        self.alpha = alpha
        self.diffHunks = diffHunks
    }
}

/// Compares two runs and produces a ``ComparisonReport``. Pure apart from reading artifacts
/// through each ``LoadedRun``.
public enum RunComparer {
    /// Compares `a` (baseline, WER reference) with `b`.
    public static func compare(_ a: LoadedRun, _ b: LoadedRun, options: ComparisonOptions = ComparisonOptions()) -> ComparisonReport {
        let tasksA = a.document.latestAttempts, tasksB = b.document.latestAttempts
        let matching = TaskMatcher.match(tasksA, tasksB)
        let timings = TimingAnalysis.analyze(a: tasksA, b: tasksB, alpha: options.alpha)
        let outputs = OutputAnalysis.analyze(
            pairs: matching.pairs, a: a, b: b, normalization: options.normalization, diffHunks: options.diffHunks)
        let resources = ResourceAnalysis.analyze(a: tasksA, b: tasksB, percentile: options.rule.cpuPercentile)
        let placement = PlacementSection(a: PlacementAnalysis.nodes(tasksA), b: PlacementAnalysis.nodes(tasksB))
        let recommendations = resources.steps.map { recommendation($0, rule: options.rule) }
        var report = ComparisonReport(
            runs: RunPair(a: info(a.document, tasksA), b: info(b.document, tasksB)),
            options: ReportOptions(
                normalization: options.normalization, cpuPercentile: options.rule.cpuPercentile,
                cpuHeadroom: options.rule.cpuHeadroom, memoryHeadroom: options.rule.memoryHeadroom, alpha: options.alpha),
            matching: MatchingSummary(
                byInput: matching.pairs.filter(\.byInput).count, byOrder: matching.pairs.filter { !$0.byInput }.count,
                onlyInA: matching.onlyInA.map(ref), onlyInB: matching.onlyInB.map(ref)),
            timings: timings, outputs: outputs, resources: resources, placement: placement,
            findings: [], recommendations: recommendations,
            timelines: TimelinePair(a: timeline(tasksA), b: timeline(tasksB)))
        report.findings = FindingsBuilder.findings(report: report, tasksA: tasksA, tasksB: tasksB)
        return report
    }

    static func info(_ document: RunDocument, _ tasks: [TaskRecord]) -> RunInfo {
        let start = tasks.map(\.start).min() ?? Date(timeIntervalSince1970: 0)
        let end = tasks.map(\.end).max() ?? start
        return RunInfo(
            flow: document.flow, run: document.run, tasks: tasks.count, attempts: document.tasks.count,
            start: RFC3339Timestamp.string(from: start), end: RFC3339Timestamp.string(from: end),
            wallSeconds: end.timeIntervalSince(start), nodes: Array(Set(tasks.map(\.node.name))).sorted(),
            failedTasks: tasks.filter { $0.exit.status != 0 }.count)
    }

    static func ref(_ task: TaskRecord) -> TaskRef {
        TaskRef(step: task.identity.step, task: task.identity.task, input: TaskMatcher.describe(task.input))
    }

    static func recommendation(_ step: StepResources, rule: RecommendationRule) -> Recommendation {
        let used = max(step.a?.percentileCores ?? 0, step.b?.percentileCores ?? 0)
        let peak = max(step.a?.peakMemoryBytes ?? 0, step.b?.peakMemoryBytes ?? 0)
        let cpu = rule.cpu(forUsage: used), memory = rule.memoryMiB(forPeak: peak)
        return Recommendation(
            step: step.step,
            currentA: step.a.map { Requests(cpu: $0.requestCPU, memoryBytes: $0.requestMemoryBytes) },
            currentB: step.b.map { Requests(cpu: $0.requestCPU, memoryBytes: $0.requestMemoryBytes) },
            percentileCores: used, peakMemoryBytes: peak, cpu: cpu, memoryMiB: memory,
            decorator: RecommendationRule.decorator(cpu: cpu, memoryMiB: memory))
    }

    /// Timeline entries; core series downsampled to at most 48 points by averaging.
    static func timeline(_ tasks: [TaskRecord]) -> [TimelineTask] {
        guard let origin = tasks.map(\.start).min() else { return [] }
        return tasks.sorted { ($0.node.name, $0.start) < ($1.node.name, $1.start) }.map { task in
            let samples = task.usage.samples
            let bucket = max(1, (samples.count + 47) / 48)
            var points: [[Double]] = []
            var index = 0
            while index < samples.count {
                let slice = samples[index..<min(samples.count, index + bucket)]
                let cores = slice.map(\.cores).reduce(0, +) / Double(slice.count)
                points.append([((slice.last?.t ?? 0) * 1000).rounded() / 1000, (cores * 1000).rounded() / 1000])
                index += bucket
            }
            return TimelineTask(
                step: task.identity.step, task: task.identity.task, node: task.node.name,
                offset: task.start.timeIntervalSince(origin), duration: task.durationSeconds,
                requestCPU: task.requests.cpu, cores: points)
        }
    }
}
