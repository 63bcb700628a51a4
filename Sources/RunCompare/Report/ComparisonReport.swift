/// The result of `runcmp diff A B`: every section, as plain values. The JSON format is this
/// value encoded with sorted keys (schema `runcmp.report/v2`, documented in `docs/runcmp/README.md`);
/// the text, Markdown and HTML formats are rendered from it.
///
/// Conventions: durations in seconds, memory in bytes, CPU in cores, times as seconds since
/// the earlier of the two runs' starts is *not* used — each run's timeline starts at its own
/// first task (`offset` fields). Ratios are B / A. Absent values are omitted.
public struct ComparisonReport: Codable, Sendable, Equatable {
    /// The schema identifier.
    ///
    /// v2: `texts` and WER count every text pair (identical ones as all hits), `differing` became
    /// `differ`, run `start`/`end` are absent for a run without tasks, side selectors and trade-off.
    public static let schema = "runcmp.report/v2"

    /// Always ``schema``.
    public var schema: String = Self.schema
    /// What was compared, and how.
    public var runs: RunPair
    /// The options that shaped the numbers.
    public var options: ReportOptions
    /// How tasks were paired.
    public var matching: MatchingSummary
    /// Wall time, per-step durations, critical paths.
    public var timings: TimingSection
    /// Artifact comparisons and WER.
    public var outputs: OutputSection
    /// Requested versus used resources.
    public var resources: ResourceSection
    /// Where tasks ran.
    public var placement: PlacementSection
    /// What each step's tasks fetched through Larder; absent when no task of either run recorded fetches.
    public var fetches: FetchSection?
    /// Findings, ranked by estimated time lost.
    public var findings: [Finding]
    /// Per-step `@kubernetes` recommendations.
    public var recommendations: [Recommendation]
    /// Per-task timelines for the charts.
    public var timelines: TimelinePair
    /// The side selectors, when either side is a subset of its run (`RUN[model=tiny]`).
    public var selection: SelectionSummary?
    /// Time against WER when the sides differ in one input value.
    public var tradeOff: TradeOff?
}

/// Identifies both runs.
public struct RunPair: Codable, Sendable, Equatable {
    /// The baseline (and WER reference).
    public var a: RunInfo
    /// The candidate.
    public var b: RunInfo
}

/// One run's identity and extent.
public struct RunInfo: Codable, Sendable, Equatable {
    /// Flow name.
    public var flow: String
    /// Run identifier.
    public var run: String
    /// The side selector (`model=tiny`), when only some tasks of the run are compared.
    public var selector: String?
    /// Tasks compared (latest attempt of each).
    public var tasks: Int
    /// Attempts recorded, including retries.
    public var attempts: Int
    /// First task start (RFC 3339); absent when the run has no tasks.
    public var start: String?
    /// Last task end (RFC 3339); absent when the run has no tasks.
    public var end: String?
    /// `end − start`, seconds.
    public var wallSeconds: Double
    /// Distinct nodes, sorted.
    public var nodes: [String]
    /// Tasks that did not exit 0.
    public var failedTasks: Int
}

/// Options echoed into the report.
public struct ReportOptions: Codable, Sendable, Equatable {
    /// Text normalisation used for WER.
    public var normalization: TextNormalization
    /// Usage percentile for CPU recommendations (e.g. 95).
    public var cpuPercentile: Double
    /// CPU headroom fraction (0.15 = +15 %).
    public var cpuHeadroom: Double
    /// Memory headroom fraction.
    public var memoryHeadroom: Double
    /// Significance level for the Mann–Whitney U test.
    public var alpha: Double
}

/// How tasks of A and B were paired.
public struct MatchingSummary: Codable, Sendable, Equatable {
    /// Pairs matched by step and identical `input`.
    public var byInput: Int
    /// Pairs matched by position within the step (inputs absent or different).
    public var byOrder: Int
    /// Tasks with no partner in B.
    public var onlyInA: [TaskRef]
    /// Tasks with no partner in A.
    public var onlyInB: [TaskRef]
}

/// A task by step, task id and input.
public struct TaskRef: Codable, Sendable, Equatable, Hashable {
    /// Step name.
    public var step: String
    /// Task identifier.
    public var task: String
    /// Input values rendered as `k=v, …` (sorted by key); empty when none.
    public var input: String
}

/// A value in A and B with their ratio.
public struct Pair: Codable, Sendable, Equatable {
    /// Value in A.
    public var a: Double?
    /// Value in B.
    public var b: Double?
    /// `b / a` when both are present and `a > 0`.
    public var ratio: Double?

    /// Creates a pair and computes the ratio.
    public init(a: Double?, b: Double?) {
        self.a = a
        self.b = b
        if let a, let b, a > 0 { ratio = b / a } else { ratio = nil }
    }
}
