/// Which tasks each side of the comparison holds (`RUN[KEY=VALUE]`).
public struct SelectionSummary: Codable, Sendable, Equatable {
    /// A's selector, e.g. `model=tiny`; absent when A is the whole run.
    public var a: String?
    /// B's selector.
    public var b: String?
    /// Input keys left out when pairing tasks (those used by either selector).
    public var ignoredInputKeys: [String]
}

/// The two sides differ by one input value (e.g. `model` tiny → large): time against WER in one place.
public struct TradeOff: Codable, Sendable, Equatable {
    /// The input key that differs, e.g. `model`.
    public var key: String
    /// Its value in A, e.g. `tiny`.
    public var a: String
    /// Its value in B, e.g. `large`.
    public var b: String
    /// Median task duration per side, seconds.
    public var medianTaskSeconds: Pair
    /// Summed task durations per side, seconds.
    public var taskSeconds: Pair
    /// Mean p95 cores per task, per side.
    public var meanP95Cores: Pair
    /// Highest peak memory of a task, per side, bytes.
    public var peakMemoryBytes: Pair
    /// Corpus WER of B with A as the reference; absent when no texts were compared.
    public var wer: Double?
    /// Text pairs behind ``wer``.
    public var texts: Int
    /// Reference (A) words behind ``wer``.
    public var referenceWords: Int
}

extension TradeOff {
    /// The trade-off when the selectors differ in exactly one input value and in nothing else.
    static func make(_ a: SideSelector?, _ b: SideSelector?, report: ComparisonReport,
                     tasksA: [TaskRecordSummary], tasksB: [TaskRecordSummary]) -> TradeOff? {
        guard let a, let b else { return nil }
        let inputA = a.filters.compactMap { if case .input(let k, let v) = $0 { (k, v) } else { nil } }
        let inputB = b.filters.compactMap { if case .input(let k, let v) = $0 { (k, v) } else { nil } }
        let restA = a.filters.filter { if case .input = $0 { false } else { true } }
        let restB = b.filters.filter { if case .input = $0 { false } else { true } }
        guard inputA.count == 1, inputB.count == 1, inputA[0].0 == inputB[0].0, inputA[0].1 != inputB[0].1, restA == restB
        else { return nil }
        func median(_ values: [Double]) -> Double? { Statistics.median(values) }
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        let overall = report.outputs.overall
        return TradeOff(
            key: inputA[0].0, a: inputA[0].1, b: inputB[0].1,
            medianTaskSeconds: Pair(a: median(tasksA.map(\.duration)), b: median(tasksB.map(\.duration))),
            taskSeconds: Pair(a: tasksA.map(\.duration).reduce(0, +), b: tasksB.map(\.duration).reduce(0, +)),
            meanP95Cores: Pair(a: mean(tasksA.map(\.p95Cores)), b: mean(tasksB.map(\.p95Cores))),
            peakMemoryBytes: Pair(a: tasksA.map(\.peakMemory).max(), b: tasksB.map(\.peakMemory).max()),
            wer: overall?.measures.wer, texts: overall?.texts ?? 0, referenceWords: overall?.measures.referenceWords ?? 0)
    }

    /// One line: `large against tiny: +150.0% time per task (1m10s → 2m55s), WER 7.1% over 3 texts, 42 words`.
    public var headline: String {
        "\(key)=\(b) against \(key)=\(a): \(Format.change(medianTaskSeconds.ratio)) time per task "
            + "(median \(Format.duration(medianTaskSeconds.a)) → \(Format.duration(medianTaskSeconds.b))), "
            + "\(Format.change(taskSeconds.ratio)) task-seconds, "
            + "p95 cores \(Format.cores(meanP95Cores.a)) → \(Format.cores(meanP95Cores.b)), "
            + "peak memory \(Format.memory(peakMemoryBytes.a.map { Int64($0) })) → \(Format.memory(peakMemoryBytes.b.map { Int64($0) })); "
            + (wer.map { "WER of \(b) with \(a) as the reference \(Format.percent($0)) over \(texts) texts, \(referenceWords) words" }
                ?? "no texts compared")
    }
}

/// The per-task numbers a trade-off needs.
struct TaskRecordSummary {
    var duration: Double
    var p95Cores: Double
    var peakMemory: Double
}
