import LarderAPI
import RunModel

/// Renders one run (`runcmp show`) and listings (`runcmp ls`) as text.
public enum RunSummaryRenderer {
    /// A run: per-step summary, per-task table (latest attempts), placement.
    public static func render(_ document: RunDocument, percentile: Double = 95) -> String {
        let tasks = document.latestAttempts
        var out: [String] = []
        let wall = TimingAnalysis.wall(tasks)
        out.append("\(document.flow)/\(document.run): \(tasks.count) tasks (\(document.tasks.count) attempts), "
            + "wall \(Format.duration(wall)), \(Set(tasks.map(\.node.name)).count) node(s)")
        out.append("")
        var steps = TextTable(["step", "tasks", "median", "min", "max", "task-s", "req cpu", "p\(Format.trimmed(percentile, digits: 1))",
                               "req mem", "peak mem"], right: Set(1...9))
        for (step, group) in TaskMatcher.grouped(tasks) {
            let stats = TimingAnalysis.stats(group)
            let resources = ResourceAnalysis.summary(group, percentile: percentile)
            steps.add([step, "\(group.count)", Format.duration(stats?.median), Format.duration(stats?.min), Format.duration(stats?.max),
                       Format.duration(stats?.taskSeconds), Format.cores(resources?.requestCPU), Format.cores(resources?.percentileCores),
                       Format.memory(resources?.requestMemoryBytes), Format.memory(resources?.peakMemoryBytes)])
        }
        out += steps.render()
        out.append("")
        var table = TextTable(["step/task", "#", "node", "duration", "exit", "req cpu", "p95", "max", "peak mem", "input"],
                              right: [1, 3, 5, 6, 7, 8])
        table.maximumCellWidth = 24
        for task in tasks {
            let exit = task.exit.signal.map { "sig\($0)" } ?? task.exit.status.map(String.init) ?? "?"
            table.add(["\(task.identity.step)/\(task.identity.task)", "\(task.identity.attempt)", task.node.name,
                       Format.duration(task.durationSeconds), exit, Format.cores(task.requests.cpu), Format.cores(task.usage.p95Cores),
                       Format.cores(task.usage.maxCores), Format.memory(task.usage.peakMemoryBytes), TaskMatcher.describe(task.input)])
        }
        out += table.render()
        out.append("")
        var nodes = TextTable(["node", "cpus", "tasks", "peak conc", "peak demand", "busy"], right: [1, 2, 3, 4, 5])
        nodes.maximumCellWidth = 44
        for node in PlacementAnalysis.nodes(tasks) {
            nodes.add([node.node, node.cpuCount.map(String.init) ?? "–", "\(node.tasks)", "\(node.peakConcurrent)",
                       Format.cores(node.peakDemandCores), Format.percent(node.busyFraction)])
        }
        out += nodes.render()
        return out.joined(separator: "\n") + "\n"
    }

    /// `runcmp ls`: flows with their run counts.
    public static func render(flows: [FlowSummary]) -> String {
        var table = TextTable(["flow", "runs"], right: [1])
        table.maximumCellWidth = 60
        for flow in flows { table.add([flow.flow, "\(flow.runs)"]) }
        return table.render(indent: "").joined(separator: "\n") + "\n"
    }

    /// `runcmp ls FLOW`: runs with their extent.
    public static func render(runs: [RunSummary], flow: String) -> String {
        var table = TextTable(["run", "start", "end", "tasks"], right: [3])
        table.maximumCellWidth = 40
        for run in runs { table.add(["\(flow)/\(run.run)", run.start ?? "–", run.end ?? "–", "\(run.tasks)"]) }
        return table.render(indent: "").joined(separator: "\n") + "\n"
    }
}
