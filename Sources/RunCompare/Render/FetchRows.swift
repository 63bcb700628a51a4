import RunModel

/// The rows of the Fetches section, shared by the text, Markdown and HTML renderers: one per step and
/// run in which the step ran; a run whose tasks recorded no fetches says "not recorded" (not zero).
enum FetchRows {
    /// One row: step, run, then either the figures or nil for "not recorded".
    struct Row {
        var step: String
        var side: String
        var tasks: Int
        var summary: FetchSummary?
    }

    static func rows(_ section: FetchSection) -> [Row] {
        section.steps.flatMap { step in
            [Row(step: step.step, side: "A", tasks: step.tasksA, summary: step.a),
             Row(step: step.step, side: "B", tasks: step.tasksB, summary: step.b)].filter { $0.tasks > 0 }
        }
    }

    /// `3/3` — tasks that recorded fetches of the step's tasks.
    static func tasks(_ row: Row) -> String { "\(row.summary?.tasks ?? 0)/\(row.tasks)" }

    /// Objects per outcome: `hit/miss/coalesced/peer` counts, `0/1/2/0`.
    static func outcomes(_ s: FetchSummary) -> String {
        FetchOutcome.allCases.map(\.rawValue).map { "\(s.byOutcome[$0]?.objects ?? 0)" }.joined(separator: "/")
    }

    /// `A large: 2 downloads (6.2 GB)` for each summary with repeated upstream downloads on one node.
    static func repeatedNotes(_ section: FetchSection) -> [String] {
        rows(section).compactMap { row in
            guard let s = row.summary, s.repeatedObjects > 0 else { return nil }
            return "\(row.side) `\(row.step)`: \(s.repeatedObjects) download\(s.repeatedObjects == 1 ? "" : "s") "
                + "(\(Format.bytes(s.repeatedBytes)))"
        }
    }
}

extension TextRenderer {
    /// The FETCHES section; nothing when neither run recorded fetches.
    func fetches(_ report: ComparisonReport) -> [String] {
        guard let section = report.fetches else { return [] }
        var lines = [heading("FETCHES") + "  (through the node's Larder; hits = served from the node's store)"]
        var totals = TextTable(["step", "run", "tasks", "objects", "bytes", "upstream", "hits by bytes", "hits by objects"],
                               right: [2, 3, 4, 5, 6, 7])
        totals.maximumCellWidth = 16
        var waits = TextTable(["step", "run", "wait/task", "Σ wait", "longest", "of task time", "hit/miss/coal/peer"],
                              right: [2, 3, 4, 5, 6])
        waits.maximumCellWidth = 18
        for row in FetchRows.rows(section) {
            guard let s = row.summary else {
                totals.add([row.step, row.side, FetchRows.tasks(row), "not recorded"])
                waits.add([row.step, row.side, "not recorded"])
                continue
            }
            totals.add([row.step, row.side, FetchRows.tasks(row), "\(s.objects)", Format.bytes(s.bytes), Format.bytes(s.upstreamBytes),
                        Format.percent(s.hitRatioBytes), Format.percent(s.hitRatioObjects)])
            waits.add([row.step, row.side, Format.duration(s.meanSeconds), Format.duration(s.seconds), Format.duration(s.maxSeconds),
                       Format.percent(s.share), FetchRows.outcomes(s)])
        }
        lines += totals.render()
        lines += waits.render()
        let notes = FetchRows.repeatedNotes(section)
        if !notes.isEmpty {
            lines += wrap("repeated upstream downloads on one node: " + notes.joined(separator: "; "), indent: "  ", hanging: "    ")
        }
        return lines + [""]
    }
}

extension MarkdownRenderer {
    /// The Fetches table; nothing when neither run recorded fetches.
    static func fetchLines(_ report: ComparisonReport) -> [String] {
        guard let section = report.fetches else { return [] }
        var out = ["#### Fetches (through the node's Larder; hits = served from the node's store)",
                   "| step | run | tasks | objects | bytes | upstream | hits (bytes / objects) | wait per task | Σ wait | of task time | "
                       + "hit/miss/coalesced/peer |",
                   "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for row in FetchRows.rows(section) {
            guard let s = row.summary else {
                out.append("| `\(row.step)` | \(row.side) | \(FetchRows.tasks(row)) | not recorded | | | | | | | |")
                continue
            }
            out.append("| `\(row.step)` | \(row.side) | \(FetchRows.tasks(row)) | \(s.objects) | \(Format.bytes(s.bytes)) | "
                + "\(Format.bytes(s.upstreamBytes)) | \(Format.percent(s.hitRatioBytes)) / \(Format.percent(s.hitRatioObjects)) | "
                + "\(Format.duration(s.meanSeconds)) | \(Format.duration(s.seconds)) | \(Format.percent(s.share)) | "
                + "\(FetchRows.outcomes(s)) |")
        }
        let notes = FetchRows.repeatedNotes(section)
        if !notes.isEmpty { out += ["", "Repeated upstream downloads on one node: " + notes.joined(separator: "; ")] }
        return out + [""]
    }
}

extension HTMLRenderer {
    /// A summary card: task-seconds spent waiting on fetches and bytes from upstream, A → B; nothing without fetches.
    static func fetchCard(_ report: ComparisonReport) -> String {
        guard let section = report.fetches else { return "" }
        func total(_ pick: (StepFetches) -> FetchSummary?) -> (seconds: Double, upstream: Int64)? {
            let summaries = section.steps.compactMap(pick)
            guard !summaries.isEmpty else { return nil }
            return (summaries.reduce(0) { $0 + $1.seconds }, summaries.reduce(Int64(0)) { $0 + $1.upstreamBytes })
        }
        let a = total(\.a), b = total(\.b)
        func wait(_ side: (seconds: Double, upstream: Int64)?) -> String { side.map { Format.duration($0.seconds) } ?? "not recorded" }
        func upstream(_ side: (seconds: Double, upstream: Int64)?) -> String { side.map { Format.bytes($0.upstream) } ?? "–" }
        return card("Waiting on fetches", "\(wait(a)) → \(wait(b))",
                    "task-seconds; from upstream \(upstream(a)) → \(upstream(b))")
    }

    /// The Fetches table; nothing when neither run recorded fetches.
    static func fetchTable(_ report: ComparisonReport) -> String {
        guard let section = report.fetches else { return "" }
        let rows = FetchRows.rows(section).map { row -> [String] in
            guard let s = row.summary else { return [row.step, row.side, FetchRows.tasks(row), "not recorded"] }
            return [row.step, row.side, FetchRows.tasks(row), "\(s.objects)", Format.bytes(s.bytes), Format.bytes(s.upstreamBytes),
                    Format.percent(s.hitRatioBytes), Format.percent(s.hitRatioObjects), Format.duration(s.meanSeconds),
                    Format.duration(s.seconds), Format.percent(s.share), FetchRows.outcomes(s)]
        }
        var html = "<h2>Fetches <span class=\"muted\">through the node's Larder; hits = served from the node's store</span></h2>"
        html += table(["step", "run", "tasks", "objects", "bytes", "upstream", "hits by bytes", "hits by objects", "wait per task",
                       "Σ wait", "of task time", "hit/miss/coalesced/peer"], rows, numeric: Set(2...11))
        let notes = FetchRows.repeatedNotes(section)
        if !notes.isEmpty { html += "<p>Repeated upstream downloads on one node: \(HTML.escape(notes.joined(separator: "; ")))</p>" }
        return html
    }
}
