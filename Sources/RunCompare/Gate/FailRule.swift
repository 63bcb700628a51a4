/// A CI gate rule from `--fail-if`, e.g. `wall>+10%`, `wer>0.05`, `step:large>+20%`.
///
/// Grammar: `METRIC OP VALUE` with
/// - METRIC: `wall` (run wall time), `wer` / `mer` / `wil` (overall, B against A),
///   `step:NAME` (median task duration of a step), `task-seconds` (summed task durations);
/// - OP: `>`, `>=`, `<`, `<=`;
/// - VALUE: a relative change `+10%` / `-5%` (B compared with A), a plain number (a fraction
///   for WER/MER/WIL, seconds for times), or a duration `90s`, `5m`, `1h`. WER, MER and WIL are
///   absolute already (B against A as the reference), so for them `5%` (or `+5%`) means 0.05.
///   Non-finite numbers (`nan`, `inf`) are rejected.
///
/// WER over identical texts is 0, so `wer>0.05` holds on two runs with the same outputs. A rule
/// whose metric is missing from the report (a step that ran in only one run, WER when no
/// artifact is a text) counts as violated, with a message saying why.
public struct FailRule: Sendable, Equatable, CustomStringConvertible {
    /// What is measured.
    public enum Metric: Sendable, Equatable {
        /// Run wall time.
        case wall
        /// Overall WER.
        case wer
        /// Overall MER.
        case mer
        /// Overall WIL.
        case wil
        /// Median duration of one step.
        case step(String)
        /// Sum of task durations.
        case taskSeconds
    }

    /// The threshold.
    public enum Threshold: Sendable, Equatable {
        /// B / A − 1 compared with this fraction.
        case relative(Double)
        /// B's value compared with this number.
        case absolute(Double)
    }

    /// The metric.
    public var metric: Metric
    /// The comparison operator as written.
    public var op: String
    /// The threshold.
    public var threshold: Threshold
    /// The rule as written.
    public var description: String

    /// Parses a rule.
    /// - Throws: ``RunCompareError/invalidRule(_:)`` with the expected grammar.
    public init(parsing text: String) throws {
        let trimmed = text.filter { !$0.isWhitespace }
        guard let opRange = [">=", "<=", ">", "<"].lazy.compactMap({ trimmed.range(of: $0) }).first else {
            throw RunCompareError.invalidRule("\"\(text)\": expected METRIC>VALUE, e.g. wall>+10%, wer>0.05, step:large>+20%")
        }
        let name = String(trimmed[..<opRange.lowerBound]).lowercased()
        op = String(trimmed[opRange])
        let value = String(trimmed[opRange.upperBound...])
        description = trimmed
        switch name {
        case "wall": metric = .wall
        case "wer": metric = .wer
        case "mer": metric = .mer
        case "wil": metric = .wil
        case "task-seconds": metric = .taskSeconds
        default:
            guard name.hasPrefix("step:"), name.count > 5 else {
                throw RunCompareError.invalidRule("\"\(text)\": unknown metric \"\(name)\" (wall, wer, mer, wil, task-seconds, step:NAME)")
            }
            metric = .step(String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 5)..<opRange.lowerBound]))
        }
        let absoluteMetric = [Metric.wer, .mer, .wil].contains(metric)
        func number(_ text: Substring) throws -> Double? {
            guard let number = Double(text) else { return nil }
            guard number.isFinite else {
                throw RunCompareError.invalidRule("\"\(text)\" in \"\(trimmed)\" is not a finite number; write e.g. wall>+10% or wer>0.05")
            }
            return number
        }
        if value.hasSuffix("%"), let number = try number(value.dropLast()) {
            threshold = absoluteMetric ? .absolute(number / 100) : .relative(number / 100)
        } else if let number = try number(Substring(value)) {
            threshold = .absolute(number)
        } else if !absoluteMetric, let last = value.last, let unit = ["s": 1.0, "m": 60, "h": 3600][String(last)],
                  let number = try number(value.dropLast()) {
            threshold = .absolute(number * unit)
        } else {
            throw RunCompareError.invalidRule("\"\(text)\": \"\(value)\" is not +N%, -N%, a number or a duration like 90s")
        }
    }

    /// Evaluates the rule; returns a message when it is violated, nil when it holds.
    public func violation(in report: ComparisonReport) -> String? {
        let pair: (a: Double?, b: Double?)
        switch metric {
        case .wall: pair = (report.timings.wall.a, report.timings.wall.b)
        case .wer: pair = (0, report.outputs.overall?.measures.wer)
        case .mer: pair = (0, report.outputs.overall?.measures.mer)
        case .wil: pair = (0, report.outputs.overall?.measures.wil)
        case .taskSeconds:
            pair = (report.timings.steps.compactMap { $0.a?.taskSeconds }.reduce(0, +),
                    report.timings.steps.compactMap { $0.b?.taskSeconds }.reduce(0, +))
        case .step(let name):
            let step = report.timings.steps.first { $0.step == name }
            pair = (step?.a?.median, step?.b?.median)
        }
        guard let b = pair.b, let a = pair.a else {
            switch metric {
            case .wer, .mer, .wil:
                return "\(description): cannot be evaluated (no artifact of the matched tasks is a text)"
            default:
                return "\(description): cannot be evaluated (the metric is missing from one or both runs)"
            }
        }
        let measured: Double, shown: String
        switch threshold {
        case .relative:
            guard a > 0 else { return "\(description): cannot be evaluated (A's value is 0)" }
            measured = b / a - 1
            shown = Format.change(b / a) + " (A \(display(a)), B \(display(b)))"
        case .absolute:
            measured = b
            shown = display(b)
        }
        let limit: Double
        switch threshold { case .relative(let v), .absolute(let v): limit = v }
        let broken: Bool
        switch op {
        case ">": broken = measured > limit
        case ">=": broken = measured >= limit
        case "<": broken = measured < limit
        default: broken = measured <= limit
        }
        return broken ? "\(description): violated, measured \(shown)" : nil
    }

    private func display(_ value: Double) -> String {
        switch metric {
        case .wer, .mer, .wil: return Format.percent(value)
        default: return Format.duration(value)
        }
    }
}
