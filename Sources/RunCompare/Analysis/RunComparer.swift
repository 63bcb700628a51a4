import Foundation
import LarderAPI
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
    /// Where the transcript is inside JSON artifacts (`--text-field`); nil for the default rule.
    public var textField: TextFieldPath?

    /// Creates options with the defaults.
    public init(normalization: TextNormalization = .basic, rule: RecommendationRule = RecommendationRule(),
                alpha: Double = 0.05, diffHunks: Int = 3, textField: TextFieldPath? = nil) {
        self.textField = textField
        self.normalization = normalization
        self.rule = rule
        self.alpha = alpha
        self.diffHunks = diffHunks
    }
}

/// Compares two runs and produces a ``ComparisonReport``. Pure apart from reading artifacts
/// through each ``LoadedRun``.
public enum RunComparer {
    /// Compares the tasks `selectorA` picks from `a` (baseline, WER reference) with those
    /// `selectorB` picks from `b`; the runs may be the same run.
    /// - Throws: ``RunCompareError/invalidReference(_:)`` for an unknown key or an empty selection.
    public static func compare(_ a: LoadedRun, _ selectorA: SideSelector?, _ b: LoadedRun, _ selectorB: SideSelector?,
                               options: ComparisonOptions = ComparisonOptions()) throws -> ComparisonReport {
        guard selectorA != nil || selectorB != nil else { return compare(a, b, options: options) }
        let (left, right) = try SideSelection.apply(a, selectorA, b, selectorB)
        var report = compare(left, right, options: options)
        report.runs.a.selector = selectorA?.description
        report.runs.b.selector = selectorB?.description
        report.selection = SelectionSummary(
            a: selectorA?.description, b: selectorB?.description,
            ignoredInputKeys: Set((selectorA?.inputKeys ?? []) + (selectorB?.inputKeys ?? [])).sorted())
        func summaries(_ run: LoadedRun) -> [TaskRecordSummary] {
            run.document.latestAttempts.map {
                TaskRecordSummary(duration: $0.durationSeconds, p95Cores: $0.usage.p95Cores, peakMemory: Double($0.usage.peakMemoryBytes))
            }
        }
        report.tradeOff = TradeOff.make(selectorA, selectorB, report: report, tasksA: summaries(left), tasksB: summaries(right))
        return report
    }

    /// Compares `a` (baseline, WER reference) with `b`.
    public static func compare(_ a: LoadedRun, _ b: LoadedRun, options: ComparisonOptions = ComparisonOptions()) -> ComparisonReport {
        let tasksA = a.document.latestAttempts, tasksB = b.document.latestAttempts
        let matching = TaskMatcher.match(tasksA, tasksB)
        let timings = TimingAnalysis.analyze(a: tasksA, b: tasksB, alpha: options.alpha)
        let outputs = OutputAnalysis.analyze(
            pairs: matching.pairs, a: a, b: b, normalization: options.normalization, diffHunks: options.diffHunks,
            textField: options.textField)
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
            fetches: FetchAnalysis.analyze(a: tasksA, b: tasksB), findings: [], recommendations: recommendations,
            timelines: TimelinePair(a: timeline(tasksA), b: timeline(tasksB)))
        report.findings = FindingsBuilder.findings(report: report, tasksA: tasksA, tasksB: tasksB)
        return report
    }

    static func info(_ document: RunDocument, _ tasks: [TaskRecord]) -> RunInfo {
        let start = tasks.map(\.start).min()
        let end = tasks.map(\.end).max()
        return RunInfo(
            flow: document.flow, run: document.run, tasks: tasks.count, attempts: document.tasks.count,
            start: start.map(RFC3339Timestamp.string(from:)), end: end.map(RFC3339Timestamp.string(from:)),
            wallSeconds: start.flatMap { s in end.map { $0.timeIntervalSince(s) } } ?? 0, nodes: Array(Set(tasks.map(\.node.name))).sorted(),
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
