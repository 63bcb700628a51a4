import RunModel

/// Requested versus used resources per step and per task.
enum ResourceAnalysis {
    static func analyze(a: [TaskRecord], b: [TaskRecord], percentile: Double) -> ResourceSection {
        let stepsA = TaskMatcher.grouped(a), stepsB = TaskMatcher.grouped(b)
        var names = stepsA.map(\.0)
        for (step, _) in stepsB where !names.contains(step) { names.append(step) }
        let steps = names.map { step in
            StepResources(
                step: step,
                a: summary(stepsA.first { $0.0 == step }?.1 ?? [], percentile: percentile),
                b: summary(stepsB.first { $0.0 == step }?.1 ?? [], percentile: percentile))
        }
        let tasks = a.map { task($0, side: "A") } + b.map { task($0, side: "B") }
        return ResourceSection(steps: steps, tasks: tasks)
    }

    /// The `percentile` of the per-interval core samples of `tasks`; tasks without samples
    /// contribute their recorded p95.
    static func usagePercentile(_ tasks: [TaskRecord], percentile: Double) -> Double {
        var values: [Double] = []
        for task in tasks {
            if task.usage.samples.isEmpty { values.append(task.usage.p95Cores) } else {
                values.append(contentsOf: task.usage.samples.map(\.cores))
            }
        }
        return Statistics.percentile(values, percentile) ?? 0
    }

    static func summary(_ tasks: [TaskRecord], percentile: Double) -> ResourceSummary? {
        guard !tasks.isEmpty else { return nil }
        let requestCPU = tasks.compactMap(\.requests.cpu).max()
        let requestMemory = tasks.compactMap(\.requests.memoryBytes).max()
        let used = usagePercentile(tasks, percentile: percentile)
        let peak = tasks.map(\.usage.peakMemoryBytes).max() ?? 0
        let throttling = tasks.compactMap(\.throttling)
        let periods = throttling.reduce(Int64(0)) { $0 + $1.nrPeriods }
        return ResourceSummary(
            tasks: tasks.count, requestCPU: requestCPU, requestMemoryBytes: requestMemory,
            limitCPU: tasks.compactMap(\.limits.cpu).max(),
            avgCores: tasks.map(\.usage.avgCores).reduce(0, +) / Double(tasks.count),
            percentileCores: used, maxCores: tasks.map(\.usage.maxCores).max() ?? 0,
            peakMemoryBytes: peak,
            cpuOverRequest: requestCPU.flatMap { $0 > 0 ? used / $0 : nil },
            memoryOverRequest: requestMemory.flatMap { $0 > 0 ? Double(peak) / Double($0) : nil },
            throttledSeconds: throttling.isEmpty ? nil : throttling.reduce(0) { $0 + $1.throttledSeconds },
            throttledFraction: periods > 0 ? Double(throttling.reduce(Int64(0)) { $0 + $1.nrThrottled }) / Double(periods) : nil,
            cpuPressure: tasks.compactMap(\.cpuPressureSomeAvg10).max())
    }

    static func task(_ record: TaskRecord, side: String) -> TaskResources {
        TaskResources(
            side: side, step: record.identity.step, task: record.identity.task, attempt: record.identity.attempt,
            node: record.node.name, duration: record.durationSeconds,
            requestCPU: record.requests.cpu, requestMemoryBytes: record.requests.memoryBytes,
            avgCores: record.usage.avgCores, p95Cores: record.usage.p95Cores, maxCores: record.usage.maxCores,
            peakMemoryBytes: record.usage.peakMemoryBytes,
            cpuOverRequest: record.requests.cpu.flatMap { $0 > 0 ? record.usage.p95Cores / $0 : nil },
            memoryOverRequest: record.requests.memoryBytes.flatMap {
                $0 > 0 ? Double(record.usage.peakMemoryBytes) / Double($0) : nil
            },
            throttledSeconds: record.throttling?.throttledSeconds, cpuPressure: record.cpuPressureSomeAvg10,
            nodeBusyFraction: record.nodeCPUBusyFraction)
    }
}
