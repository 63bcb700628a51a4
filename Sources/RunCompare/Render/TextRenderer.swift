/// Renders a ``ComparisonReport`` as aligned plain text that fits 100 columns; with `color`,
/// headings are bold and changes are green (faster/better) or red (slower/worse).
public struct TextRenderer: Sendable {
    /// Whether to emit ANSI colour (only when writing to a terminal).
    public var color: Bool

    /// Creates a renderer.
    public init(color: Bool = false) { self.color = color }

    /// The report as text, ending with a newline.
    public func render(_ report: ComparisonReport) -> String {
        var out: [String] = []
        let a = report.runs.a, b = report.runs.b
        out.append(bold("runcmp diff") + "  A = \(Self.name(a))  vs  B = \(Self.name(b))")
        out.append("  A: " + Self.extent(a))
        out.append("  B: " + Self.extent(b))
        out.append("  matched \(report.matching.byInput) by input, \(report.matching.byOrder) by order; "
            + "\(report.matching.onlyInA.count) only in A, \(report.matching.onlyInB.count) only in B")
        out.append("")
        out.append(heading("WALL TIME"))
        let wall = report.timings.wall
        out.append("  A \(Format.duration(wall.a))   B \(Format.duration(wall.b))   "
            + tinted(Format.ratio(wall.ratio) + " (" + Format.change(wall.ratio) + ")", ratio: wall.ratio))
        out.append("")
        if let tradeOff = report.tradeOff {
            out.append(heading("TRADE-OFF"))
            out += wrap(tradeOff.headline, indent: "  ", hanging: "    ")
            out.append("")
        }
        out += steps(report)
        out += criticalPath(report)
        out += outputs(report)
        out += resources(report)
        out += placement(report)
        out += fetches(report)
        out += findings(report)
        out += recommendations(report)
        return out.joined(separator: "\n") + "\n"
    }

    /// `FLOW/RUN` with its selector, e.g. `Whisper/100[model=tiny]`.
    static func name(_ run: RunInfo) -> String {
        "\(run.flow)/\(run.run)" + (run.selector.map { "[\($0)]" } ?? "")
    }

    /// `6 tasks on 2 nodes, started …`, or `no tasks recorded`.
    static func extent(_ run: RunInfo) -> String {
        guard run.tasks > 0, let start = run.start else { return "no tasks recorded" }
        return "\(run.tasks) tasks on \(run.nodes.count) node\(run.nodes.count == 1 ? "" : "s"), started \(start)"
    }

    /// What the corpus WER was computed over, e.g. `3 text pairs (1 identical), 24 reference words`.
    static func corpus(_ outputs: OutputSection) -> String {
        guard let all = outputs.overall else { return "no texts compared" }
        return "\(all.texts) text pair\(all.texts == 1 ? "" : "s") (\(all.texts - all.differ) identical in words), "
            + "\(all.measures.referenceWords) reference words"
    }

    private func steps(_ report: ComparisonReport) -> [String] {
        var table = TextTable(["step", "n A/B", "median A", "median B", "B/A", "p", "min–max A", "min–max B", "Σ A", "Σ B"],
                              right: [1, 2, 3, 4, 8, 9])
        table.maximumCellWidth = 16
        for step in report.timings.steps {
            table.add([
                step.step, "\(step.a?.tasks ?? 0)/\(step.b?.tasks ?? 0)", Format.duration(step.a?.median),
                Format.duration(step.b?.median), Format.ratio(step.ratio), marker(step.significance),
                range(step.a), range(step.b), Format.duration(step.a?.taskSeconds), Format.duration(step.b?.taskSeconds),
            ])
        }
        var lines = [heading("STEPS") + "  (task durations; B/A of medians; Σ = task-seconds)"] + table.render()
        lines.append("  p: Mann–Whitney U; ~ no significant change at α=\(Format.trimmed(report.options.alpha, digits: 3)), "
            + "* significant; blank: < 3 tasks a side")
        return lines + [""]
    }

    private func marker(_ significance: Significance?) -> String {
        guard let significance else { return "" }
        return (significance.significant ? "*" : "~") + (significance.p < 0.001 ? "<0.001" : Format.fixed(significance.p, digits: 3))
    }

    private func range(_ stats: DurationStats?) -> String {
        guard let stats else { return "–" }
        return Format.duration(stats.min) + "–" + Format.duration(stats.max)
    }

    private func criticalPath(_ report: ComparisonReport) -> [String] {
        var lines = [heading("CRITICAL PATH") + "  (inferred from timestamps)"]
        for (side, path) in [("A", report.timings.criticalPathA), ("B", report.timings.criticalPathB)] {
            let text = path.map { entry in
                (entry.waitBefore >= 1 ? "(wait \(Format.duration(entry.waitBefore))) " : "")
                    + "\(entry.step)/\(entry.task) \(Format.duration(entry.duration))"
            }.joined(separator: " → ")
            lines += wrap("\(side): " + (text.isEmpty ? "–" : text), indent: "  ", hanging: "     ")
        }
        return lines + [""]
    }

    private func outputs(_ report: ComparisonReport) -> [String] {
        let o = report.outputs
        var lines = [heading("OUTPUTS") + "  (corpus WER of B with A as the reference; normalisation \(o.normalization.rawValue)"
            + (o.textField.map { "; JSON field \($0)" } ?? "") + ")"]
        lines.append("  over " + Self.corpus(o) + "; identical texts count as all hits")
        lines.append("  \(o.same) same, \(o.differentText) texts differ, \(o.differentBinary) binaries differ, \(o.missing) missing/unreadable")
        if !o.byStep.isEmpty {
            var table = TextTable(["step", "texts", "differ", "WER", "MER", "WIL", "S", "D", "I", "ref words"],
                                  right: [1, 2, 3, 4, 5, 6, 7, 8, 9])
            for aggregate in o.byStep + (o.overall.map { [$0] } ?? []) {
                let m = aggregate.measures
                table.add([aggregate.key, "\(aggregate.texts)", "\(aggregate.differ)", Format.percent(m.wer),
                           Format.percent(m.mer), Format.percent(m.wil), "\(m.substitutions)", "\(m.deletions)",
                           "\(m.insertions)", "\(m.referenceWords)"])
            }
            lines += table.render()
        }
        if o.byInput.count > 1 {
            var table = TextTable(["input", "texts", "WER"], right: [1, 2])
            table.maximumCellWidth = 70
            for aggregate in o.byInput.prefix(20) {
                table.add([aggregate.key, "\(aggregate.texts)", Format.percent(aggregate.measures.wer)])
            }
            lines += table.render()
            if o.byInput.count > 20 { lines.append("  … \(o.byInput.count - 20) more inputs (see --format json)") }
        }
        let differing = o.artifacts.filter { $0.status != "same" && ($0.status != "text" || ($0.measures?.wer ?? 1) > 0) }
        for artifact in differing.prefix(8) {
            var head = "  \(artifact.step)/\(artifact.taskA)"
            if !artifact.input.isEmpty { head += " [\(artifact.input)]" }
            head += " \(artifact.name): "
            if let m = artifact.measures {
                head += "WER \(Format.percent(m.wer)) (S\(m.substitutions) D\(m.deletions) I\(m.insertions) of \(m.referenceWords))"
            } else {
                head += artifact.status + sizeChange(artifact)
            }
            lines += wrap(head, indent: "", hanging: "      ")
            for hunk in artifact.diff ?? [] { lines += wrap(hunk, indent: "      ", hanging: "        ") }
        }
        if differing.count > 8 { lines.append("  … \(differing.count - 8) more differing artifacts (see --format json)") }
        return lines + [""]
    }

    private func sizeChange(_ artifact: ArtifactComparison) -> String {
        guard artifact.sizeA != nil || artifact.sizeB != nil else { return "" }
        return ", size \(artifact.sizeA.map(String.init) ?? "–") → \(artifact.sizeB.map(String.init) ?? "–") bytes"
    }

    private func resources(_ report: ComparisonReport) -> [String] {
        let p = "p" + Format.trimmed(report.options.cpuPercentile, digits: 1)
        var table = TextTable(["step", "run", "req cpu", "avg", p, "max", "used/req", "req mem", "peak mem", "peak/req", "thrott", "psi"],
                              right: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        table.maximumCellWidth = 16
        for step in report.resources.steps {
            for (side, summary) in [("A", step.a), ("B", step.b)] {
                guard let s = summary else { continue }
                table.add([step.step, side, Format.cores(s.requestCPU), Format.cores(s.avgCores), Format.cores(s.percentileCores),
                           Format.cores(s.maxCores), Format.ratio(s.cpuOverRequest), Format.memory(s.requestMemoryBytes),
                           Format.memory(s.peakMemoryBytes), Format.ratio(s.memoryOverRequest),
                           s.throttledFraction.map { Format.percent($0) } ?? "–",
                           s.cpuPressure.map { Format.fixed($0, digits: 0) + "%" } ?? "–"])
            }
        }
        return [heading("RESOURCES") + "  (cores; requests from the pod spec)"] + table.render() + [""]
    }

    private func placement(_ report: ComparisonReport) -> [String] {
        var table = TextTable(["run", "node", "cpus", "tasks", "peak conc", "peak demand", "requested", "busy"],
                              right: [2, 3, 4, 5, 6, 7])
        table.maximumCellWidth = 36
        for (side, nodes) in [("A", report.placement.a), ("B", report.placement.b)] {
            for node in nodes {
                table.add([side, node.node, node.cpuCount.map(String.init) ?? "–", "\(node.tasks)", "\(node.peakConcurrent)",
                           Format.cores(node.peakDemandCores), Format.cores(node.peakRequestedCores), Format.percent(node.busyFraction)])
            }
        }
        return [heading("PLACEMENT") + "  (peak demand = summed p95 cores of tasks running at once)"] + table.render() + [""]
    }

    private func findings(_ report: ComparisonReport) -> [String] {
        var lines = [heading("FINDINGS") + "  (ranked by estimated time lost)"]
        if report.findings.isEmpty { lines.append("  none") }
        for finding in report.findings {
            let lost = finding.estimatedSecondsLost >= 1 ? " [~\(Format.duration(finding.estimatedSecondsLost)) lost]" : ""
            lines += wrap("\(finding.rank). \(finding.title)\(lost)", indent: "  ", hanging: "     ")
            for sentence in finding.evidence { lines += wrap("- " + sentence, indent: "     ", hanging: "       ") }
            if let action = finding.action { lines += wrap("→ " + action, indent: "     ", hanging: "       ") }
        }
        return lines + [""]
    }

    private func recommendations(_ report: ComparisonReport) -> [String] {
        let o = report.options
        var lines = [heading("RECOMMENDATIONS") + "  (cpu = ceil(p\(Format.trimmed(o.cpuPercentile, digits: 1)) cores × "
            + "\(Format.trimmed(1 + o.cpuHeadroom, digits: 3))), memory = peak × \(Format.trimmed(1 + o.memoryHeadroom, digits: 3)) "
            + "in MiB, rounded up to 256)"]
        for r in report.recommendations {
            let current = [("A", r.currentA), ("B", r.currentB)].compactMap { side, requests in
                requests.map { "\(side) cpu=\(Format.cores($0.cpu)), memory=\(Format.memory($0.memoryBytes))" }
            }.joined(separator: "; ")
            lines += wrap("\(r.step): \(current); used \(Format.cores(r.percentileCores)) cores, peak "
                + "\(Format.memory(r.peakMemoryBytes)) → \(r.decorator)", indent: "  ", hanging: "    ")
        }
        return lines
    }

    func heading(_ text: String) -> String { bold(text) }
    private func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    private func tinted(_ text: String, ratio: Double?) -> String {
        guard color, let ratio else { return text }
        if ratio > 1.05 { return "\u{1B}[31m\(text)\u{1B}[0m" }
        if ratio < 0.95 { return "\u{1B}[32m\(text)\u{1B}[0m" }
        return text
    }
}
