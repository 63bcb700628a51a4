/// Timing comparison.
public struct TimingSection: Codable, Sendable, Equatable {
    /// Run wall time (first start → last end), seconds.
    public var wall: Pair
    /// Per-step durations.
    public var steps: [StepTiming]
    /// Critical path of A.
    public var criticalPathA: [PathEntry]
    /// Critical path of B.
    public var criticalPathB: [PathEntry]
}

/// Duration statistics of one step in one run.
public struct DurationStats: Codable, Sendable, Equatable {
    /// Tasks in the step.
    public var tasks: Int
    /// Median task duration.
    public var median: Double
    /// Shortest task.
    public var min: Double
    /// Longest task.
    public var max: Double
    /// Sum of task durations.
    public var taskSeconds: Double
    /// First start → last end of the step's tasks.
    public var spanSeconds: Double
}

/// One step's durations in A and B.
public struct StepTiming: Codable, Sendable, Equatable {
    /// Step name.
    public var step: String
    /// Stats in A (absent when the step did not run in A).
    public var a: DurationStats?
    /// Stats in B.
    public var b: DurationStats?
    /// Median ratio B / A.
    public var ratio: Double?
    /// Mann–Whitney U test of the task durations.
    public var significance: Significance?
}

/// The outcome of a two-sided Mann–Whitney U test.
public struct Significance: Codable, Sendable, Equatable {
    /// `mann-whitney-u`.
    public var test: String
    /// Two-sided p-value.
    public var p: Double
    /// Whether `p < alpha`.
    public var significant: Bool
    /// `exact` or `normal` (with tie and continuity correction).
    public var method: String
    /// Samples in A and B.
    public var n: [Int]
}

/// One task on a critical path.
public struct PathEntry: Codable, Sendable, Equatable {
    /// Step name.
    public var step: String
    /// Task identifier.
    public var task: String
    /// Node it ran on.
    public var node: String
    /// Seconds from the run start to the task start.
    public var offset: Double
    /// Task duration.
    public var duration: Double
    /// Idle seconds between the predecessor's end and this start (scheduling, image pulls, …).
    public var waitBefore: Double
}

/// Artifact and transcript comparison.
public struct OutputSection: Codable, Sendable, Equatable {
    /// Which run is the WER reference (always `A`; WER is asymmetric).
    public var reference: String
    /// Normalisation applied before comparing words.
    public var normalization: TextNormalization
    /// The `--text-field` path used inside JSON artifacts; absent for the default rule.
    public var textField: String?
    /// Artifacts compared, per matched task.
    public var artifacts: [ArtifactComparison]
    /// Corpus WER per step over every text pair, identical ones included (errors summed over
    /// reference words, as jiwer does for lists).
    public var byStep: [WERAggregate]
    /// WER aggregated per input.
    public var byInput: [WERAggregate]
    /// Corpus WER over every text pair; absent only when no artifact was a text.
    public var overall: WERAggregate?
    /// Counts by status.
    public var same: Int
    /// Texts that differ.
    public var differentText: Int
    /// Non-text artifacts that differ.
    public var differentBinary: Int
    /// Artifacts present on one side only or unreadable.
    public var missing: Int
}

/// One artifact of a matched task pair.
public struct ArtifactComparison: Codable, Sendable, Equatable {
    /// Step name.
    public var step: String
    /// Task in A.
    public var taskA: String
    /// Task in B.
    public var taskB: String
    /// The tasks' input, `k=v, …`.
    public var input: String
    /// Artifact name.
    public var name: String
    /// `same`, `text`, `binary`, `only-in-a`, `only-in-b`, `unavailable` or `no-text-field`
    /// (`--text-field` names nothing in a JSON artifact).
    public var status: String
    /// Size in A.
    public var sizeA: Int64?
    /// Size in B.
    public var sizeB: Int64?
    /// Digest in A.
    public var digestA: String?
    /// Digest in B.
    public var digestB: String?
    /// Measures of B against A (texts only; for identical texts every word is a hit).
    public var measures: Measures?
    /// The first word differences (texts only).
    public var diff: [String]?
}

/// WER, MER, WIL and counts, as written into the report.
public struct Measures: Codable, Sendable, Equatable {
    /// Word error rate of B with A as the reference.
    public var wer: Double
    /// Match error rate.
    public var mer: Double
    /// Word information lost.
    public var wil: Double
    /// Hits.
    public var hits: Int
    /// Substitutions.
    public var substitutions: Int
    /// Deletions.
    public var deletions: Int
    /// Insertions.
    public var insertions: Int
    /// Reference (A) words.
    public var referenceWords: Int
    /// Hypothesis (B) words.
    public var hypothesisWords: Int

    /// Copies the measures of a ``WordErrorMeasures``.
    public init(_ m: WordErrorMeasures) {
        wer = m.wer; mer = m.mer; wil = m.wil; hits = m.hits; substitutions = m.substitutions
        deletions = m.deletions; insertions = m.insertions
        referenceWords = m.referenceWords; hypothesisWords = m.hypothesisWords
    }
}

/// WER over a group of texts.
public struct WERAggregate: Codable, Sendable, Equatable {
    /// Step name or input (`k=v, …`); `all` for the overall figure.
    public var key: String
    /// Text pairs compared, identical ones included (they add their words as hits).
    public var texts: Int
    /// Text pairs whose words differ (at least one edit).
    public var differ: Int
    /// Aggregate measures.
    public var measures: Measures
}
