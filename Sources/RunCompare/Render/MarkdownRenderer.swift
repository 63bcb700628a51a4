/// Renders a report as GitHub-flavoured Markdown for a pull-request comment.
public enum MarkdownRenderer {
    /// The Markdown text, ending with a newline.
    public static func render(_ report: ComparisonReport) -> String {
        let a = report.runs.a, b = report.runs.b, wall = report.timings.wall
        var out: [String] = []
        out.append("### runcmp: `\(TextRenderer.name(a))` (A) vs `\(TextRenderer.name(b))` (B)")
        out.append("")
        if let tradeOff = report.tradeOff {
            out.append("**Trade-off:** \(escape(tradeOff.headline))")
            out.append("")
        }
        out.append("**Wall time:** A \(Format.duration(wall.a)) → B \(Format.duration(wall.b)) "
            + "(**\(Format.ratio(wall.ratio))**, \(Format.change(wall.ratio))) · A \(a.tasks) tasks on \(a.nodes.count) node(s), "
            + "B \(b.tasks) tasks on \(b.nodes.count) node(s)")
        out.append("")
        if !report.findings.isEmpty {
            out.append("#### Findings (ranked by estimated time lost)")
            for f in report.findings {
                let lost = f.estimatedSecondsLost >= 1 ? " — ~\(Format.duration(f.estimatedSecondsLost)) lost" : ""
                out.append("\(f.rank). **\(escape(f.title))**\(lost)")
                for e in f.evidence { out.append("   - \(escape(e))") }
                if let action = f.action { out.append("   - → \(escape(action))") }
            }
            out.append("")
        }
        out.append("#### Steps")
        out.append("| step | tasks A/B | median A | median B | B/A | significance |")
        out.append("|---|--:|--:|--:|--:|---|")
        for s in report.timings.steps {
            let sig = s.significance.map { ($0.significant ? "significant " : "~ ") + Format.pValue($0.p) } ?? "n<3"
            out.append("| `\(s.step)` | \(s.a?.tasks ?? 0)/\(s.b?.tasks ?? 0) | \(Format.duration(s.a?.median)) | "
                + "\(Format.duration(s.b?.median)) | \(Format.ratio(s.ratio)) | \(sig) |")
        }
        out.append("")
        out.append("#### Resources (p\(Format.trimmed(report.options.cpuPercentile, digits: 1)) cores vs request)")
        out.append("| step | run | req cpu | used | used/req | req mem | peak mem | peak/req |")
        out.append("|---|---|--:|--:|--:|--:|--:|--:|")
        for step in report.resources.steps {
            for (side, summary) in [("A", step.a), ("B", step.b)] {
                guard let s = summary else { continue }
                out.append("| `\(step.step)` | \(side) | \(Format.cores(s.requestCPU)) | \(Format.cores(s.percentileCores)) | "
                    + "\(Format.ratio(s.cpuOverRequest)) | \(Format.memory(s.requestMemoryBytes)) | "
                    + "\(Format.memory(s.peakMemoryBytes)) | \(Format.ratio(s.memoryOverRequest)) |")
            }
        }
        out.append("")
        out.append("#### Placement")
        out.append("| run | node | tasks | peak concurrent | peak demand (cores) | CPUs | busy |")
        out.append("|---|---|--:|--:|--:|--:|--:|")
        for (side, nodes) in [("A", report.placement.a), ("B", report.placement.b)] {
            for n in nodes {
                out.append("| \(side) | `\(n.node)` | \(n.tasks) | \(n.peakConcurrent) | \(Format.cores(n.peakDemandCores)) | "
                    + "\(n.cpuCount.map(String.init) ?? "–") | \(Format.percent(n.busyFraction)) |")
            }
        }
        out.append("")
        out += fetchLines(report)
        let o = report.outputs
        out.append("#### Outputs (corpus WER of B with A as reference, normalisation `\(o.normalization.rawValue)`)")
        out.append("Over \(TextRenderer.corpus(o)); identical texts count as all hits.")
        out.append("")
        out.append("\(o.same) same · \(o.differentText) texts differ · \(o.differentBinary) binaries differ · \(o.missing) missing")
        if !o.byStep.isEmpty {
            out.append("")
            out.append("| step | texts | differ | WER | MER | WIL | S/D/I |")
            out.append("|---|--:|--:|--:|--:|--:|--:|")
            for g in o.byStep + (o.overall.map { [$0] } ?? []) {
                let m = g.measures
                out.append("| \(g.key == "all" ? "**all**" : "`\(g.key)`") | \(g.texts) | \(g.differ) | \(Format.percent(m.wer)) | "
                    + "\(Format.percent(m.mer)) | \(Format.percent(m.wil)) | \(m.substitutions)/\(m.deletions)/\(m.insertions) |")
            }
        }
        out.append("")
        out.append("#### Recommendations")
        out.append("```python")
        for r in report.recommendations { out.append("# step \(r.step)\n\(r.decorator)") }
        out.append("```")
        return out.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
