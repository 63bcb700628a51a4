import Foundation
import RunModel

extension FindingsBuilder {
    static func resourceFindings(side: String, step: String, summary: ResourceSummary, recommendation: Recommendation?,
                                 timings: StepTiming?, otherExists: Bool, tasks: [TaskRecord], runTasks: [TaskRecord],
                                 options: ReportOptions) -> [Finding] {
        var result: [Finding] = []
        let percentileName = "p\(Format.trimmed(options.cpuPercentile, digits: 1))"
        let requests = "requests cpu=\(Format.cores(summary.requestCPU)), memory=\(Format.memory(summary.requestMemoryBytes))"
        let usage = "used \(percentileName) \(Format.cores(summary.percentileCores)) cores, max \(Format.cores(summary.maxCores)), "
            + "peak \(Format.memory(summary.peakMemoryBytes))"
        let action = recommendation.map { "set \($0.decorator) on step `\(step)`" }
        let span = side == "A" ? timings?.a?.spanSeconds ?? 0 : timings?.b?.spanSeconds ?? 0
        let otherSpan = side == "A" ? timings?.b?.spanSeconds : timings?.a?.spanSeconds
        if let request = summary.requestCPU, request > 0, summary.percentileCores >= 2 * request {
            let stretch = stretch(tasks, runTasks: runTasks)
            let lost = max(span * (1 - 1 / stretch), otherSpan.map { span - $0 } ?? 0, 0)
            var evidence = ["\(requests); \(usage)",
                            "used \(Format.cores(summary.percentileCores)) cores on a \(Format.cores(request))-core request "
                                + "(\(Format.ratio(summary.cpuOverRequest)))"]
            if stretch > 1 { evidence.append("its node was oversubscribed \(Format.ratio(stretch)) (summed p95 cores ÷ CPUs)") }
            if let pressure = summary.cpuPressure { evidence.append("CPU pressure up to \(Format.fixed(pressure, digits: 1))%") }
            result.append(Finding(
                rank: 0, kind: "cpu-under-request", side: side, step: step,
                title: "step `\(step)` in \(side) used \(Format.ratio(summary.cpuOverRequest)) its CPU request",
                evidence: evidence, action: action, estimatedSecondsLost: lost))
        }
        if let request = summary.requestMemoryBytes, request > 0, summary.peakMemoryBytes > request {
            result.append(Finding(
                rank: 0, kind: "memory-under-request", side: side, step: step,
                title: "step `\(step)` in \(side) peaked at \(Format.memory(summary.peakMemoryBytes)) on a "
                    + "\(Format.memory(request)) memory request (\(Format.ratio(summary.memoryOverRequest)))",
                evidence: ["\(requests); \(usage)",
                           "a pod above its memory request is the first to be evicted under node memory pressure"],
                action: action, estimatedSecondsLost: 0))
        }
        if let fraction = summary.throttledFraction, let seconds = summary.throttledSeconds, fraction >= 0.2 || seconds >= 0.1 * span {
            result.append(Finding(
                rank: 0, kind: "throttling", side: side, step: step,
                title: "step `\(step)` in \(side) was CPU-throttled in \(Format.percent(fraction)) of periods",
                evidence: ["throttled \(Format.duration(seconds)) in total; CPU limit \(Format.cores(summary.limitCPU))"],
                action: "raise the CPU limit to at least the recommended request, or remove it",
                estimatedSecondsLost: seconds / Double(max(summary.tasks, 1))))
        }
        return result
    }

    /// One finding per run listing the steps whose requests are at least twice what they use and
    /// reserve at least 1 core or 1 GiB more than needed.
    static func overRequestFindings(_ report: ComparisonReport) -> [Finding] {
        var result: [Finding] = []
        for side in ["A", "B"] {
            var parts: [String] = []
            var actions: [String] = []
            for step in report.resources.steps {
                guard let s = side == "A" ? step.a : step.b else { continue }
                var waste: [String] = []
                if let cpu = s.requestCPU, cpu >= 2 * max(s.percentileCores, 0.01), cpu - s.percentileCores >= 1 {
                    waste.append("cpu \(Format.cores(cpu)) for \(Format.cores(s.percentileCores)) used")
                }
                if let memory = s.requestMemoryBytes, Double(memory) >= 2 * Double(max(s.peakMemoryBytes, 1)),
                   memory - s.peakMemoryBytes >= 1 << 30 {
                    waste.append("memory \(Format.memory(memory)) for a \(Format.memory(s.peakMemoryBytes)) peak")
                }
                guard !waste.isEmpty else { continue }
                parts.append("`\(step.step)`: " + waste.joined(separator: ", "))
                if let r = report.recommendations.first(where: { $0.step == step.step }) { actions.append("`\(step.step)` \(r.decorator)") }
            }
            guard !parts.isEmpty else { continue }
            result.append(Finding(
                rank: 0, kind: "over-request", side: side, step: nil,
                title: "\(parts.count) step\(parts.count == 1 ? "" : "s") in \(side) reserved far more than they used",
                evidence: parts, action: "free the capacity for other pods: " + actions.joined(separator: "; "),
                estimatedSecondsLost: 0))
        }
        return result
    }

    static func timingFindings(_ report: ComparisonReport) -> [Finding] {
        var result: [Finding] = []
        for step in report.timings.steps {
            guard let a = step.a, let b = step.b, let ratio = step.ratio, ratio >= 1.1 || ratio <= 1 / 1.1 else { continue }
            let slower = ratio > 1 ? "B" : "A", faster = ratio > 1 ? "A" : "B"
            let slow = ratio > 1 ? b : a, fast = ratio > 1 ? a : b
            // A ratio of near-zero medians (0.7 s vs 2 ms = "350×") says nothing: headline the
            // difference in seconds unless both medians are at least a second.
            let nearZero = fast.median < 1
            let comparison = nearZero
                ? "\(Format.duration(slow.median - fast.median)) longer per task in \(slower) than in \(faster)"
                : "\(Format.ratio(slow.median / fast.median)) as long in \(slower) as in \(faster)"
            var evidence = ["median \(Format.duration(slow.median)) in \(slower) vs \(Format.duration(fast.median)) in \(faster)"
                + (nearZero ? "" : " (\(Format.ratio(slow.median / fast.median)))")
                + "; step span \(Format.duration(slow.spanSeconds)) vs "
                + "\(Format.duration(fast.spanSeconds)); \(slow.tasks) vs \(fast.tasks) tasks"]
            let uncertain = step.significance.map { !$0.significant } ?? true
            if let test = step.significance {
                evidence.append(test.significant
                    ? "significant (Mann–Whitney U, \(Format.pValue(test.p)), n=\(test.n[0])+\(test.n[1]))"
                    : "not significant (~): Mann–Whitney U \(Format.pValue(test.p)), n=\(test.n[0])+\(test.n[1])")
            } else {
                evidence.append("not tested: fewer than 3 tasks a side, so the difference may be noise")
            }
            result.append(Finding(
                rank: 0, kind: "slower-step", side: slower, step: step.step,
                title: "step `\(step.step)` took \(comparison)" + (uncertain ? " (not significant)" : ""),
                evidence: evidence, action: nil, estimatedSecondsLost: max(0, slow.spanSeconds - fast.spanSeconds),
                uncertain: uncertain ? true : nil, confidence: step.significance.map { 1 - $0.p } ?? 0.5))
        }
        let waitA = report.timings.criticalPathA.map(\.waitBefore).reduce(0, +)
        let waitB = report.timings.criticalPathB.map(\.waitBefore).reduce(0, +)
        for (side, wait, other, wall) in [("A", waitA, waitB, report.runs.a.wallSeconds), ("B", waitB, waitA, report.runs.b.wallSeconds)]
        where wall > 0 && wait >= 0.1 * wall && wait - other >= 1 {
            result.append(Finding(
                rank: 0, kind: "waiting", side: side, step: nil,
                title: "\(side)'s critical path spent \(Format.duration(wait)) (\(Format.percent(wait / wall)) of the run) between tasks",
                evidence: ["idle time between a task's predecessor ending and the task starting: scheduling, image pulls, "
                    + "downloads before the recorder started; \(Format.duration(other)) in the other run"],
                action: "pre-pull images and warm model caches on the nodes (`larder warm`)",
                estimatedSecondsLost: wait - other))
        }
        return result
    }

    static func outputFindings(_ report: ComparisonReport) -> [Finding] {
        var result: [Finding] = []
        let outputs = report.outputs
        for step in outputs.byStep where step.differ > 0 {
            let inputs = Set(outputs.artifacts.filter { $0.step == step.key && $0.status == "text" && ($0.measures?.wer ?? 0) > 0 }
                .map(\.input)).count
            let total = Set(outputs.artifacts.filter { $0.step == step.key && ($0.status == "text" || $0.status == "same") }
                .map(\.input)).count
            result.append(Finding(
                rank: 0, kind: "outputs-differ", side: "both", step: step.key,
                title: "B's texts in step `\(step.key)` differ from A's on \(inputs) of \(total) inputs "
                    + "(WER \(Format.percent(step.measures.wer)))",
                evidence: ["\(step.measures.substitutions) substituted, \(step.measures.deletions) deleted, "
                    + "\(step.measures.insertions) inserted of \(step.measures.referenceWords) reference words; "
                    + "MER \(Format.percent(step.measures.mer)), WIL \(Format.percent(step.measures.wil)); "
                    + "normalisation \(outputs.normalization.rawValue); WER uses A as the reference"],
                action: nil, estimatedSecondsLost: 0))
        }
        if outputs.differentBinary > 0 {
            result.append(Finding(
                rank: 0, kind: "outputs-differ", side: "both", step: nil,
                title: "\(outputs.differentBinary) non-text artifacts differ between A and B",
                evidence: ["digests differ; see the outputs section for sizes"], action: nil, estimatedSecondsLost: 0))
        }
        return result
    }

    static func otherFindings(_ report: ComparisonReport) -> [Finding] {
        var result: [Finding] = []
        for (side, info) in [("A", report.runs.a), ("B", report.runs.b)] where info.failedTasks > 0 {
            result.append(Finding(
                rank: 0, kind: "failed-tasks", side: side, step: nil,
                title: "\(info.failedTasks) of \(info.tasks) tasks in \(side) did not exit 0",
                evidence: ["latest attempts only; \(info.attempts) attempts recorded"], action: nil, estimatedSecondsLost: 0))
        }
        let onlyA = report.matching.onlyInA.count, onlyB = report.matching.onlyInB.count
        if onlyA + onlyB > 0 {
            result.append(Finding(
                rank: 0, kind: "unmatched-tasks", side: "both", step: nil,
                title: "\(onlyA) tasks only in A, \(onlyB) only in B",
                evidence: ["tasks are matched by step and input, then by task order within a step"],
                action: nil, estimatedSecondsLost: 0))
        }
        return result
    }
}
