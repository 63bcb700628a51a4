import Foundation
import RunModel

/// Derives findings from a report and ranks them by estimated wall time lost.
///
/// Estimates (documented in docs/runcmp/README.md):
/// - contention on a node: when the tasks running at once wanted more CPU than the node has
///   (summed p95 cores > CPUs, or the node was ≥ 90 % busy), the work stretched by
///   `stretch = demand / CPUs`; time lost ≈ span × (1 − 1/stretch), or the difference to the
///   other run's span when that is larger;
/// - a slower step: span(slower) − span(faster);
/// - waiting on the critical path: the extra idle time between chained tasks;
/// - throttling: throttled seconds ÷ tasks;
/// - a slower step's loss is weighted by its confidence `1 − p` (Mann–Whitney U; 0.5 when
///   untestable, < 3 tasks a side) for ranking, and marked `uncertain` when not significant;
/// - fetching: the per-task wait on fetches minus the other run's (or the part not served by hits);
/// - output, memory and waste findings lose no time (ranked after, by severity).
enum FindingsBuilder {
    static func findings(report: ComparisonReport, tasksA: [TaskRecord], tasksB: [TaskRecord]) -> [Finding] {
        var found: [Finding] = []
        let allNodes = Set(report.placement.a.map(\.node) + report.placement.b.map(\.node))
        for (side, tasks, nodes, otherWall) in [
            ("A", tasksA, report.placement.a, report.runs.b.wallSeconds),
            ("B", tasksB, report.placement.b, report.runs.a.wallSeconds),
        ] {
            let wall = side == "A" ? report.runs.a.wallSeconds : report.runs.b.wallSeconds
            found += placementFindings(side: side, tasks: tasks, nodes: nodes, allNodes: allNodes,
                                       wall: wall, otherWall: otherWall)
        }
        for step in report.resources.steps {
            let recommendation = report.recommendations.first { $0.step == step.step }
            for (side, summary, other) in [("A", step.a, step.b), ("B", step.b, step.a)] {
                guard let summary else { continue }
                found += resourceFindings(side: side, step: step.step, summary: summary, recommendation: recommendation,
                                          timings: report.timings.steps.first { $0.step == step.step }, otherExists: other != nil,
                                          tasks: (side == "A" ? tasksA : tasksB).filter { $0.identity.step == step.step },
                                          runTasks: side == "A" ? tasksA : tasksB,
                                          options: report.options)
            }
        }
        found += timingFindings(report)
        found += overRequestFindings(report)
        found += outputFindings(report)
        found += FindingsBuilder.otherFindings(report)
        found += fetchFindings(report)
        let priority = ["node-skew": 0, "cpu-under-request": 1, "noisy-neighbour": 2, "slower-step": 3, "fetching": 4,
                        "waiting": 5, "throttling": 6, "failed-tasks": 7, "outputs-differ": 8, "memory-under-request": 9,
                        "unmatched-tasks": 10, "over-request": 11, "repeated-download": 12]
        // Time lost weighted by how far it can be trusted (a 350× ratio of noise ranks low).
        func established(_ finding: Finding) -> Double { finding.estimatedSecondsLost * (finding.confidence ?? 1) }
        found.sort {
            if established($0) != established($1) { return established($0) > established($1) }
            if $0.estimatedSecondsLost != $1.estimatedSecondsLost { return $0.estimatedSecondsLost > $1.estimatedSecondsLost }
            return (priority[$0.kind] ?? 99, $0.side, $0.step ?? "") < (priority[$1.kind] ?? 99, $1.side, $1.step ?? "")
        }
        for index in found.indices { found[index].rank = index + 1 }
        return found
    }

    /// How much the busiest node that `tasks` ran on was oversubscribed: summed p95 cores of
    /// every task of the run (`runTasks`) running at once on it ÷ its CPUs; at least 1.
    static func stretch(_ tasks: [TaskRecord], runTasks: [TaskRecord]) -> Double {
        let nodes = Set(tasks.map(\.node.name))
        var best = 1.0
        for node in PlacementAnalysis.nodes(runTasks.filter { nodes.contains($0.node.name) }) {
            guard let cpus = node.cpuCount, cpus > 0 else { continue }
            best = max(best, node.peakDemandCores / Double(cpus))
        }
        return best
    }

    static func placementFindings(side: String, tasks: [TaskRecord], nodes: [NodePlacement], allNodes: Set<String>,
                                  wall: Double, otherWall: Double) -> [Finding] {
        guard tasks.count >= 2, let busiest = nodes.max(by: { $0.tasks < $1.tasks }) else { return [] }
        var result: [Finding] = []
        let saturated = { (node: NodePlacement) -> Bool in
            (node.busyFraction ?? 0) >= 0.85 || node.cpuCount.map { node.peakDemandCores > Double($0) } == true
        }
        let idle = allNodes.subtracting(nodes.map(\.node)).sorted()
        let quiet = nodes.filter { $0.node != busiest.node && ($0.busyFraction ?? 1) <= 0.5 }
        let stretch = busiest.cpuCount.map { max(1, busiest.peakDemandCores / Double(max($0, 1))) } ?? 1
        let lost = max(wall * (1 - 1 / stretch), saturated(busiest) ? wall - otherWall : 0, 0)
        var evidence = [
            "node \(busiest.node): \(busiest.tasks) tasks, up to \(busiest.peakConcurrent) at once wanting "
                + "\(Format.cores(busiest.peakDemandCores)) cores (p95 summed)"
                + (busiest.cpuCount.map { " on \($0) CPUs" } ?? "")
                + (busiest.peakRequestedCores.map { "; requested \(Format.cores($0))" } ?? "")
                + (busiest.busyFraction.map { "; node busy \(Format.percent($0))" } ?? ""),
        ]
        if saturated(busiest), nodes.count == 1, let other = idle.first {
            evidence.append("node \(other) (used by the other run) ran none of this run's tasks")
            result.append(Finding(
                rank: 0, kind: "node-skew", side: side, step: nil,
                title: "all \(tasks.count) tasks of \(side) ran on node \(busiest.node) while node \(other) ran none",
                evidence: evidence,
                action: "request what the tasks use (see the recommendations) so the scheduler spreads them; "
                    + "add topologySpreadConstraints or pod anti-affinity if they still pack",
                estimatedSecondsLost: lost))
        } else if saturated(busiest), let other = quiet.first {
            evidence.append("node \(other.node): \(other.tasks) tasks, busy \(Format.percent(other.busyFraction))")
            result.append(Finding(
                rank: 0, kind: "node-skew", side: side, step: nil,
                title: "node \(busiest.node) was saturated while node \(other.node) was mostly idle in \(side)",
                evidence: evidence,
                action: "request what the tasks use (see the recommendations) so the scheduler spreads them",
                estimatedSecondsLost: lost))
        }
        // Noisy neighbours: tasks bursting far above their requests on a shared, saturated node.
        for node in nodes where node.peakConcurrent >= 2 && saturated(node) {
            let bursting = tasks.filter { task in
                guard task.node.name == node.node, let cpu = task.requests.cpu else { return false }
                return task.usage.p95Cores > 2 * cpu
            }
            guard bursting.count >= 2 else { continue }
            let pressure: Double? = bursting.compactMap { $0.cpuPressureSomeAvg10 }.max()
            let requested: Double = bursting.compactMap { $0.requests.cpu }.reduce(0, +)
            let used: Double = bursting.map { $0.usage.p95Cores }.reduce(0, +)
            let alreadyCounted = result.contains { $0.kind == "node-skew" }
            result.append(Finding(
                rank: 0, kind: "noisy-neighbour", side: side, step: nil,
                title: "\(bursting.count) tasks of \(side) burst far above their requests on shared node \(node.node)",
                evidence: [noisyEvidence(requested: requested, used: used, cpus: node.cpuCount, pressure: pressure)],
                action: "bursting is not guaranteed: request the CPU the tasks need so that they do not compete",
                estimatedSecondsLost: alreadyCounted ? 0 : lost))
        }
        return result
    }

    private static func noisyEvidence(requested: Double, used: Double, cpus: Int?, pressure: Double?) -> String {
        var text = "they requested \(Format.cores(requested)) cores in total and used \(Format.cores(used)) (p95 summed, "
        text += Format.ratio(requested > 0 ? used / requested : nil) + ")"
        if let cpus { text += " on a \(cpus)-CPU node" }
        if let pressure { text += "; CPU pressure up to \(Format.fixed(pressure, digits: 1))%" }
        return text
    }
}
