import Foundation
import RunModel

/// Tasks per node, concurrency and CPU demand per node.
enum PlacementAnalysis {
    static func nodes(_ tasks: [TaskRecord]) -> [NodePlacement] {
        var order: [String] = []
        var groups: [String: [TaskRecord]] = [:]
        for task in tasks {
            if groups[task.node.name] == nil { order.append(task.node.name) }
            groups[task.node.name, default: []].append(task)
        }
        return order.sorted().map { name in
            let group = groups[name] ?? []
            let sweep = peak(group)
            let weighted = group.compactMap { task in task.nodeCPUBusyFraction.map { ($0, task.durationSeconds) } }
            let totalWeight = weighted.reduce(0) { $0 + $1.1 }
            return NodePlacement(
                node: name, cpuCount: group.compactMap(\.node.cpuCount).max(),
                memoryBytes: group.compactMap(\.node.memoryBytes).max(), tasks: group.count,
                peakConcurrent: sweep.count, peakDemandCores: sweep.demand,
                busyFraction: weighted.isEmpty ? nil
                    : (totalWeight > 0 ? weighted.reduce(0) { $0 + $1.0 * $1.1 } / totalWeight
                        : weighted.map(\.0).reduce(0, +) / Double(weighted.count)),
                peakRequestedCores: sweep.requested)
        }
    }

    /// Most tasks at once, the highest summed p95 cores, and the requests summed at the count peak.
    static func peak(_ tasks: [TaskRecord]) -> (count: Int, demand: Double, requested: Double?) {
        // Ends sort before starts at the same instant, so back-to-back tasks do not overlap.
        var events: [(Date, Int, TaskRecord)] = []
        for task in tasks {
            events.append((task.start, 1, task))
            events.append((task.end, -1, task))
        }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var count = 0, bestCount = 0
        var demand = 0.0, bestDemand = 0.0
        var requested = 0.0, requestedAtPeak = 0.0
        var anyRequest = false
        for (_, delta, task) in events {
            count += delta
            demand += Double(delta) * task.usage.p95Cores
            if let cpu = task.requests.cpu { requested += Double(delta) * cpu; anyRequest = true }
            if count > bestCount { bestCount = count; requestedAtPeak = requested }
            bestDemand = max(bestDemand, demand)
        }
        return (bestCount, bestDemand, anyRequest ? requestedAtPeak : nil)
    }
}
