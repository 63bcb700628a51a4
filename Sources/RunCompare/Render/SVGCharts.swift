/// Inline SVG charts for the HTML report (no scripts, no external resources).
enum SVGCharts {
    /// Colours by step index.
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static func color(step: String, steps: [String]) -> String {
        palette[(steps.firstIndex(of: step) ?? 0) % palette.count]
    }

    /// A Gantt chart of tasks per node; `scale` is the time span the full width stands for.
    static func gantt(_ tasks: [TimelineTask], steps: [String], scale: Double, width: Double = 640) -> String {
        let label = 150.0, lane = 14.0, gap = 8.0, plot = width - label - 10
        var nodes: [String] = []
        for task in tasks where !nodes.contains(task.node) { nodes.append(task.node) }
        nodes.sort()
        var body = ""
        var y = 4.0
        for node in nodes {
            // Greedy lanes: first lane whose last task ended before this one starts.
            var laneEnds: [Double] = []
            var placed: [(TimelineTask, Int)] = []
            for task in tasks.filter({ $0.node == node }).sorted(by: { $0.offset < $1.offset }) {
                if let index = laneEnds.firstIndex(where: { $0 <= task.offset + 0.001 }) {
                    laneEnds[index] = task.offset + task.duration
                    placed.append((task, index))
                } else {
                    laneEnds.append(task.offset + task.duration)
                    placed.append((task, laneEnds.count - 1))
                }
            }
            let height = Double(max(1, laneEnds.count)) * lane
            body += "<rect x=\"0\" y=\"\(f(y - 2))\" width=\"\(f(width))\" height=\"\(f(height + 4))\" class=\"band\"/>"
            body += "<text x=\"4\" y=\"\(f(y + min(height, lane) - 3))\" class=\"node\">\(HTML.escape(shorten(node, 22)))</text>"
            for (task, index) in placed {
                let x = label + task.offset / max(scale, 0.001) * plot
                let w = max(1.5, task.duration / max(scale, 0.001) * plot)
                let tip = HTML.escape("\(task.step)/\(task.task) on \(task.node): \(Format.duration(task.duration)) "
                    + "from +\(Format.duration(task.offset))")
                let fill = color(step: task.step, steps: steps)
                body += "<rect x=\"\(f(x))\" y=\"\(f(y + Double(index) * lane))\" width=\"\(f(w))\" "
                    + "height=\"\(f(lane - 3))\" fill=\"\(fill)\"><title>\(tip)</title></rect>"
            }
            y += height + gap
        }
        let axis = axisTicks(x0: label, plotWidth: plot, span: scale, y: y)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(y + 18))\" class=\"gantt\">"
            + body + axis + "</svg>"
    }

    /// Time axis ticks at a round interval.
    static func axisTicks(x0: Double, plotWidth: Double, span: Double, y: Double) -> String {
        let candidates: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]
        let step = candidates.first { span / $0 <= 8 } ?? 14400
        var out = "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x0 + plotWidth))\" y2=\"\(f(y))\" class=\"axis\"/>"
        var t = 0.0
        while t <= span + 0.001 {
            let x = x0 + t / max(span, 0.001) * plotWidth
            out += "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x))\" y2=\"\(f(y + 4))\" class=\"axis\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(y + 14))\" class=\"tick\">\(tickLabel(t))</text>"
            t += step
        }
        return out
    }

    /// Cores used over time for one task, with the CPU request as a dashed line.
    static func cpuChart(_ task: TimelineTask, steps: [String], width: Double = 300, height: Double = 96) -> String {
        let left = 30.0, top = 16.0, bottom = 14.0
        let plotW = width - left - 6, plotH = height - top - bottom
        let peak = max(task.cores.map { $0.count > 1 ? $0[1] : 0 }.max() ?? 0, task.requestCPU ?? 0, 0.5) * 1.1
        let span = max(task.duration, task.cores.last?.first ?? 0, 0.001)
        func point(_ t: Double, _ c: Double) -> String { "\(f(left + t / span * plotW)),\(f(top + plotH - c / peak * plotH))" }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" class=\"cpu\">"
        svg += "<text x=\"2\" y=\"11\" class=\"title\">\(HTML.escape(shorten("\(task.step)/\(task.task) · \(task.node)", 44)))</text>"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" class=\"axis\"/>"
        svg += "<text x=\"\(f(left - 3))\" y=\"\(f(top + 8))\" class=\"ytick\">\(Format.cores(peak / 1.1))</text>"
        svg += "<text x=\"\(f(left - 3))\" y=\"\(f(top + plotH))\" class=\"ytick\">0</text>"
        if !task.cores.isEmpty {
            let points = [point(0, 0)] + task.cores.compactMap { $0.count > 1 ? point($0[0], $0[1]) : nil }
                + [point(task.cores.last?.first ?? span, 0)]
            svg += "<polygon points=\"\(points.joined(separator: " "))\" fill=\"\(color(step: task.step, steps: steps))\" fill-opacity=\"0.35\" "
                + "stroke=\"\(color(step: task.step, steps: steps))\" stroke-width=\"1.2\"/>"
        } else {
            svg += "<text x=\"\(f(left + 6))\" y=\"\(f(top + plotH / 2))\" class=\"tick\">no samples recorded</text>"
        }
        if let request = task.requestCPU {
            let y = top + plotH - request / peak * plotH
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" class=\"request\"/>"
            svg += "<text x=\"\(f(left + plotW - 2))\" y=\"\(f(y - 3))\" class=\"reqlabel\">request \(Format.cores(request))</text>"
        }
        svg += "<text x=\"\(f(left + plotW))\" y=\"\(f(height - 2))\" class=\"tickr\">\(Format.duration(task.duration))</text>"
        return svg + "</svg>"
    }

    /// Horizontal bars of median task duration per step, A above B.
    static func stepBars(_ steps: [StepTiming], width: Double = 1290) -> String {
        let label = 140.0, bar = 16.0, plot = width - label - 160
        let maximum = max(steps.flatMap { [$0.a?.median ?? 0, $0.b?.median ?? 0] }.max() ?? 1, 0.001)
        var body = ""
        var y = 4.0
        for step in steps {
            body += "<text x=\"4\" y=\"\(f(y + bar + 2))\" class=\"node\">\(HTML.escape(shorten(step.step, 20)))</text>"
            for (side, stats, css) in [("A", step.a, "barA"), ("B", step.b, "barB")] {
                let w = (stats?.median ?? 0) / maximum * plot
                body += "<rect x=\"\(f(label))\" y=\"\(f(y))\" width=\"\(f(max(w, 1)))\" height=\"\(f(bar - 2))\" class=\"\(css)\"/>"
                body += "<text x=\"\(f(label + w + 4))\" y=\"\(f(y + bar - 4))\" class=\"lbl\">"
                    + "\(side) \(Format.duration(stats?.median))\(side == "B" ? "  (" + Format.ratio(step.ratio) + ")" : "")</text>"
                y += bar
            }
            y += 8
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(y))\" class=\"bars\">\(body)</svg>"
    }

    /// Round tick labels: `30s`, `10m`, `1h`, `1h30m`.
    static func tickLabel(_ seconds: Double) -> String {
        let t = Int(seconds.rounded())
        if t < 60 { return "\(t)s" }
        if t % 3600 == 0 { return "\(t / 3600)h" }
        if t < 3600, t % 60 == 0 { return "\(t / 60)m" }
        return Format.duration(seconds)
    }

    static func shorten(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func f(_ value: Double) -> String { Format.trimmed(value, digits: 1) }
}

/// HTML escaping.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
